// Scancode set 1 (what the PS/2 controller's translation delivers) to characters, US layout
// (protocol.h lists the keys). Pure: one byte in, up to kMaxOutput bytes out, the modifier
// state kept between calls.
#pragma once

#include <stdint.h>

namespace console {

class Keyboard {
public:
    static constexpr uint32_t kMaxOutput = 4; // ESC [ 3 ~

    // One scancode byte. Writes the characters it produces to `out` and returns how many
    // (0 for releases, modifiers, prefixes and keys without a character).
    uint32_t feed(uint8_t scancode, uint8_t out[kMaxOutput]);

    bool shift() const { return m_left_shift || m_right_shift; }
    bool ctrl() const { return m_left_ctrl || m_right_ctrl; }
    bool alt() const { return m_left_alt || m_right_alt; }
    bool caps_lock() const { return m_caps_lock; }
    // True once after caps lock changed: the LEDs should follow.
    bool take_led_change() {
        bool changed = m_led_change;
        m_led_change = false;
        return changed;
    }
    uint32_t presses() const { return m_presses; }

private:
    uint32_t extended(uint8_t code, bool released, uint8_t out[kMaxOutput]);
    uint32_t character(uint8_t code, uint8_t out[kMaxOutput]);

    bool m_e0 = false;   // the previous byte was the 0xE0 prefix
    uint32_t m_skip = 0; // bytes of an 0xE1 (pause) sequence still to ignore
    bool m_left_shift = false, m_right_shift = false;
    bool m_left_ctrl = false, m_right_ctrl = false;
    bool m_left_alt = false, m_right_alt = false;
    bool m_caps_lock = false;
    bool m_led_change = false;
    uint32_t m_presses = 0;
};

} // namespace console
