// servers/drivers/console/keyboard.h: scancode set 1 to characters — presses and releases,
// both shifts, caps lock (and shift under it), ctrl codes, the 0xE0 keys as ANSI sequences,
// the 0xE1 pause sequence skipped, fake shifts ignored, the LED flag.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "servers/drivers/console/keyboard.h"

namespace console {
namespace {

std::string feed(Keyboard& keyboard, const std::vector<uint8_t>& codes) {
    std::string out;
    for (uint8_t code : codes) {
        uint8_t bytes[Keyboard::kMaxOutput];
        uint32_t n = keyboard.feed(code, bytes);
        EXPECT_LE(n, Keyboard::kMaxOutput);
        out.append(reinterpret_cast<const char*>(bytes), n);
    }
    return out;
}

constexpr uint8_t kRelease = 0x80;
constexpr uint8_t kA = 0x1e, kC = 0x2e, kOne = 0x02, kMinus = 0x0c, kLeftShift = 0x2a,
                  kRightShift = 0x36, kCtrl = 0x1d, kCaps = 0x3a, kSpace = 0x39, kEnter = 0x1c,
                  kLeftBracket = 0x1a;

TEST(ConsoleKeyboard, LettersDigitsAndReleases) {
    Keyboard k;
    EXPECT_EQ(feed(k, {kA, kA | kRelease, kOne, kOne | kRelease, kSpace, kEnter, kMinus}),
              "a1 \n-");
    EXPECT_EQ(k.presses(), 5u);
    EXPECT_EQ(feed(k, {kA | kRelease, 0x7f, 0x59, 0x3b}), ""); // stray release, unknown, F1
}

TEST(ConsoleKeyboard, ShiftsCapsLockAndItsLed) {
    Keyboard k;
    EXPECT_EQ(feed(k, {kLeftShift, kA, kOne, kMinus, kLeftShift | kRelease, kA}), "A!_a");
    EXPECT_EQ(feed(k, {kRightShift, kA, kRightShift | kRelease}), "A");
    EXPECT_FALSE(k.take_led_change());
    EXPECT_EQ(feed(k, {kCaps, kCaps | kRelease, kA, kOne}), "A1"); // digits ignore caps lock
    EXPECT_TRUE(k.caps_lock());
    EXPECT_TRUE(k.take_led_change());
    EXPECT_FALSE(k.take_led_change());
    EXPECT_EQ(feed(k, {kLeftShift, kA, kOne, kLeftShift | kRelease}), "a!");
    EXPECT_EQ(feed(k, {kCaps, kCaps | kRelease, kA}), "a");
    EXPECT_FALSE(k.caps_lock());
    EXPECT_FALSE(k.shift());
}

TEST(ConsoleKeyboard, ControlCodes) {
    Keyboard k;
    EXPECT_EQ(feed(k, {kCtrl, kC, kA, kLeftBracket, kSpace, kOne, kCtrl | kRelease, kC}),
              std::string("\x03\x01\x1b\0"
                          "1c",
                          6));
    // Right ctrl (0xE0 0x1D) and caps lock: still the control code.
    EXPECT_EQ(feed(k, {kCaps, 0xe0, kCtrl, kC, 0xe0, kCtrl | kRelease, kCaps}), "\x03");
    EXPECT_FALSE(k.ctrl());
}

TEST(ConsoleKeyboard, ExtendedKeysPauseAndFakeShifts) {
    Keyboard k;
    EXPECT_EQ(feed(k, {0xe0, 0x48, 0xe0, 0xc8, 0xe0, 0x4b, 0xe0, 0x53, 0xe0, 0x1c, 0xe0, 0x35}),
              "\x1b[A\x1b[D\x1b[3~\n/");
    // Pause: E1 1D 45 E1 9D C5 gives nothing and leaves ctrl alone.
    EXPECT_EQ(feed(k, {0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5, kA}), "a");
    EXPECT_FALSE(k.ctrl());
    // Print screen with fake shifts (E0 2A E0 37): no shift held afterwards.
    EXPECT_EQ(feed(k, {0xe0, 0x2a, 0xe0, 0x37, 0xe0, 0xb7, 0xe0, 0xaa, kA}), "a");
    EXPECT_FALSE(k.shift());
    // The keypad: its characters.
    EXPECT_EQ(feed(k, {0x4f, 0x4e, 0x4a, 0x37, 0x53}), "1+-*.");
}

} // namespace
} // namespace console
