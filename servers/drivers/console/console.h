// The VGA console driver's state and logic (README.md): the text screen, the PS/2 keyboard
// behind the 8042 controller, the keyboard buffer and the protocol's handlers with their
// deferred replies.
#pragma once

#include <stdint.h>

#include "interfaces/console/protocol.h"
#include "lib/driver/driver.h"
#include "lib/driver/ring.h"
#include "lib/driver/stream_readers.h"
#include "lib/ipc/kernel.h"
#include "servers/drivers/console/keyboard.h"
#include "servers/drivers/console/screen.h"

namespace console {

// The 8042 PS/2 controller (IBM PC/AT technical reference; OSDev "8042 PS/2 Controller").
namespace ps2 {
constexpr uint16_t kData = 0x60;
constexpr uint16_t kStatus = 0x64;      // read
constexpr uint16_t kCommand = 0x64;     // write
constexpr uint8_t kStatusOutput = 0x01; // a byte waits in kData
constexpr uint8_t kStatusInput = 0x02;  // the controller has not taken the last write yet
constexpr uint8_t kStatusAux = 0x20;    // the waiting byte is from the mouse
constexpr uint8_t kReadConfig = 0x20, kWriteConfig = 0x60, kEnableKeyboard = 0xAE;
constexpr uint8_t kConfigKeyboardIrq = 0x01, kConfigKeyboardClockOff = 0x10,
                  kConfigTranslate = 0x40;
constexpr uint8_t kSetLeds = 0xED, kLedCapsLock = 0x04;
} // namespace ps2

// The CRTC (VGA, colour: index 0x3D4, data 0x3D5): the cursor location registers.
namespace crtc {
constexpr uint16_t kIndex = 0x3D4, kData = 0x3D5;
constexpr uint8_t kCursorHigh = 0x0E, kCursorLow = 0x0F;
} // namespace crtc

class Console {
public:
    // `cells` is the mapped text buffer (kColumns * kRows cells). Reads the cursor back from
    // the CRTC (a restart keeps the screen); clears the screen if `clear`. Sets up the 8042:
    // keyboard interrupt and translation on, pending bytes dropped, LEDs off.
    void start(volatile uint16_t* cells, uint32_t irq, uint32_t restarts, bool clear);

    // One interrupt message: every byte the controller holds is decoded, then waiting readers
    // are answered.
    void interrupt();

    ipc::Error write(axo_thread_id_t from, const WriteRequest& request, WriteReply& reply);
    ipc::Error read(axo_thread_id_t from, const ReadRequest& request, ReadReply& reply);
    // Any request from `from` (the dispatcher's request hook): a read it left waiting was
    // given up, and is never answered now.
    void cancel_requests_of(axo_thread_id_t from) { m_readers.cancel(from); }
    void statistics(StatisticsReply& reply) const;

    // Writes `count` bytes to the screen (write's work; also the driver's own banner): text and
    // escape sequences (screen.h). A sequence's answer (the cursor position report) goes into
    // the keyboard buffer, as a terminal's answers come back on its input.
    void put(const uint8_t* bytes, uint32_t count);

    driver::Interrupts interrupts;

private:
    uint32_t read_cursor() const;
    void update_cursor() const;
    void keyboard_byte(uint8_t byte);
    bool send_to_keyboard(uint8_t byte) const;
    void set_leds();
    void led_answer(uint8_t byte);
    void answer_waiting();

    Screen m_screen;
    Keyboard m_keyboard;
    uint32_t m_led_step = 0;    // 0: no LED command; 1, 2: its byte 1 or 2 awaits its answer
    bool m_leds_wanted = false; // the LEDs are to be set (again)
    driver::Ring<1024> m_keys;
    driver::StreamReaders<ReadRequest, kReadWait, kMaxWaiting> m_readers{ipc::kernel_liveness()};
    StatisticsReply m_stats{};
};

} // namespace console
