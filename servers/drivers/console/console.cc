#include "servers/drivers/console/console.h"

#include "rt/rt.h"

#include "lib/ipc/kernel.h"

namespace console {
namespace {

// Bounds on polling the controller: a missing or broken 8042 cannot hang the driver.
constexpr uint32_t kControllerSpins = 100000;
constexpr uint32_t kMaxBytesPerInterrupt = 64;

bool wait_input_clear() {
    for (uint32_t i = 0; i < kControllerSpins; ++i)
        if ((driver::inb(ps2::kStatus) & ps2::kStatusInput) == 0) return true;
    return false;
}

bool wait_output_full() {
    for (uint32_t i = 0; i < kControllerSpins; ++i)
        if (driver::inb(ps2::kStatus) & ps2::kStatusOutput) return true;
    return false;
}

} // namespace

static_assert(Screen::kColumns == kColumns && Screen::kRows == kRows);

void Console::start(volatile uint16_t* cells, uint32_t irq, uint32_t restarts, bool clear_it) {
    m_stats = {};
    m_stats.irq = irq;
    m_stats.restarts = restarts;

    // The screen: where the predecessor (or the BIOS) left the cursor.
    uint32_t position = read_cursor();
    if (position >= kColumns * kRows) position = 0;
    m_screen.attach(cells, position / kColumns, position % kColumns);
    m_stats.start_row = m_screen.row();
    m_stats.start_column = m_screen.column();
    if (clear_it) m_screen.clear();
    update_cursor();

    // The controller: drop what waits, then keyboard interrupt and translation (scancode set
    // 1) on, the keyboard's clock running. The IRQ line is not attached yet: nothing is lost
    // to an interrupt nobody takes, the bytes stay in the controller.
    for (uint32_t i = 0; i < 32 && (driver::inb(ps2::kStatus) & ps2::kStatusOutput); ++i)
        (void)driver::inb(ps2::kData);
    uint8_t config = 0;
    if (wait_input_clear()) {
        driver::outb(ps2::kCommand, ps2::kReadConfig);
        if (wait_output_full()) config = driver::inb(ps2::kData);
    }
    config = static_cast<uint8_t>((config | ps2::kConfigKeyboardIrq | ps2::kConfigTranslate) &
                                  ~ps2::kConfigKeyboardClockOff);
    if (wait_input_clear()) driver::outb(ps2::kCommand, ps2::kWriteConfig);
    if (wait_input_clear()) driver::outb(ps2::kData, config);
    if (wait_input_clear()) driver::outb(ps2::kCommand, ps2::kEnableKeyboard);
    // LEDs off (caps lock starts off): the keyboard's answers come as interrupts.
    m_leds_wanted = true;
    set_leds();
}

// The LED command is two bytes, each acknowledged (0xFA) before the next: kSetLeds, then the
// LED bits. A change while one is under way is sent after it.
void Console::set_leds() {
    if (m_led_step != 0 || !m_leds_wanted) return;
    m_leds_wanted = false;
    if (send_to_keyboard(ps2::kSetLeds)) m_led_step = 1;
}

void Console::led_answer(uint8_t byte) {
    if (m_led_step == 1 && byte == 0xFA) {
        m_led_step = send_to_keyboard(m_keyboard.caps_lock() ? ps2::kLedCapsLock : 0) ? 2 : 0;
    } else if (m_led_step != 0) {
        m_led_step = 0; // done (0xFA) or refused (0xFE, errors): give up this one
    }
    set_leds();
}

uint32_t Console::read_cursor() const {
    driver::outb(crtc::kIndex, crtc::kCursorHigh);
    uint32_t high = driver::inb(crtc::kData);
    driver::outb(crtc::kIndex, crtc::kCursorLow);
    uint32_t low = driver::inb(crtc::kData);
    return high << 8 | low;
}

void Console::update_cursor() const {
    uint32_t position = m_screen.row() * kColumns + m_screen.column();
    driver::outb(crtc::kIndex, crtc::kCursorHigh);
    driver::outb(crtc::kData, static_cast<uint8_t>(position >> 8));
    driver::outb(crtc::kIndex, crtc::kCursorLow);
    driver::outb(crtc::kData, static_cast<uint8_t>(position & 0xFF));
}

void Console::put(const uint8_t* bytes, uint32_t count) {
    m_screen.put(bytes, count);
    m_stats.written += count;
    update_cursor();
    uint8_t answer[Screen::kMaxAnswer];
    uint32_t n = m_screen.take_answer(answer);
    for (uint32_t i = 0; i < n; ++i) {
        if (m_keys.put(answer[i]))
            ++m_stats.characters;
        else
            ++m_stats.dropped;
    }
    if (n > 0) answer_waiting();
}

bool Console::send_to_keyboard(uint8_t byte) const {
    if (!wait_input_clear()) return false;
    driver::outb(ps2::kData, byte);
    return true;
}

void Console::keyboard_byte(uint8_t byte) {
    ++m_stats.scancodes;
    // The keyboard's answers to commands (acknowledge, resend, echo, errors) are no keys.
    if (byte == 0xFA || byte == 0xFE || byte == 0xEE || byte == 0x00 || byte == 0xFF) {
        ++m_stats.replies;
        led_answer(byte);
        return;
    }
    uint8_t out[Keyboard::kMaxOutput];
    uint32_t n = m_keyboard.feed(byte, out);
    for (uint32_t i = 0; i < n; ++i) {
        if (m_keys.put(out[i]))
            ++m_stats.characters;
        else
            ++m_stats.dropped;
    }
    if (m_keyboard.take_led_change()) {
        m_leds_wanted = true;
        set_leds();
    }
}

void Console::interrupt() {
    for (uint32_t i = 0; i < kMaxBytesPerInterrupt; ++i) {
        uint8_t status = driver::inb(ps2::kStatus);
        if ((status & ps2::kStatusOutput) == 0) break;
        uint8_t byte = driver::inb(ps2::kData);
        if (status & ps2::kStatusAux) continue; // a mouse byte: not ours
        keyboard_byte(byte);
    }
    answer_waiting();
}

void Console::answer_waiting() {
    m_readers.answer(m_keys, &ipc::send_reply<ReadReply>);
}

ipc::Error Console::write(axo_thread_id_t, const WriteRequest& request, WriteReply& reply) {
    if (request.count > kChunkBytes) return ipc::Error::invalid_argument;
    put(request.bytes, request.count);
    reply.accepted = request.count;
    return ipc::Error::ok;
}

ipc::Error Console::read(axo_thread_id_t from, const ReadRequest& request, ReadReply& reply) {
    return m_readers.read(m_keys, from, request, reply);
}

void Console::statistics(StatisticsReply& reply) const {
    reply = m_stats;
    reply.interrupts = interrupts.total;
    reply.presses = m_keyboard.presses();
    reply.buffered = m_keys.size();
    reply.readers_waiting = m_readers.count();
    reply.row = m_screen.row();
    reply.column = m_screen.column();
    reply.scrolls = m_screen.scrolls();
    reply.modifiers = (m_keyboard.shift() ? kModShift : 0) | (m_keyboard.ctrl() ? kModCtrl : 0) |
                      (m_keyboard.alt() ? kModAlt : 0) |
                      (m_keyboard.caps_lock() ? kModCapsLock : 0);
}

} // namespace console
