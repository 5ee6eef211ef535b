#include "servers/drivers/console/keyboard.h"

namespace console {
namespace {

constexpr uint8_t kEsc = 0x1b;

// Set 1 make codes 0x00..0x58: the character without and with shift (0: none).
constexpr char kPlain[0x59] = {
    0,   kEsc, '1', '2', '3', '4', '5', '6', '7',  '8', '9', '0',  '-',  '=', '\b', '\t', // 0x00
    'q', 'w',  'e', 'r', 't', 'y', 'u', 'i', 'o',  'p', '[', ']',  '\n', 0,   'a',  's',  // 0x10
    'd', 'f',  'g', 'h', 'j', 'k', 'l', ';', '\'', '`', 0,   '\\', 'z',  'x', 'c',  'v',  // 0x20
    'b', 'n',  'm', ',', '.', '/', 0,   '*', 0,    ' ', 0,   0,    0,    0,   0,    0,    // 0x30
    0,   0,    0,   0,   0,   0,   0,   '7', '8',  '9', '-', '4',  '5',  '6', '+',  '1',  // 0x40
    '2', '3',  '0', '.', 0,   0,   0,   0,   0,                                           // 0x50
};
constexpr char kShifted[0x59] = {
    0,   kEsc, '!', '@', '#', '$', '%', '^', '&', '*', '(', ')', '_',  '+', '\b', '\t', // 0x00
    'Q', 'W',  'E', 'R', 'T', 'Y', 'U', 'I', 'O', 'P', '{', '}', '\n', 0,   'A',  'S',  // 0x10
    'D', 'F',  'G', 'H', 'J', 'K', 'L', ':', '"', '~', 0,   '|', 'Z',  'X', 'C',  'V',  // 0x20
    'B', 'N',  'M', '<', '>', '?', 0,   '*', 0,   ' ', 0,   0,   0,    0,   0,    0,    // 0x30
    0,   0,    0,   0,   0,   0,   0,   '7', '8', '9', '-', '4', '5',  '6', '+',  '1',  // 0x40
    '2', '3',  '0', '.', 0,   0,   0,   0,   0,                                         // 0x50
};

constexpr uint8_t kLeftShift = 0x2a, kRightShift = 0x36, kCtrl = 0x1d, kAlt = 0x38,
                  kCapsLock = 0x3a;

uint32_t sequence(const char* text, uint8_t out[Keyboard::kMaxOutput]) {
    uint32_t n = 0;
    out[n++] = kEsc;
    out[n++] = '[';
    for (; *text != '\0' && n < Keyboard::kMaxOutput; ++text)
        out[n++] = static_cast<uint8_t>(*text);
    return n;
}

} // namespace

uint32_t Keyboard::feed(uint8_t scancode, uint8_t out[kMaxOutput]) {
    if (m_skip > 0) {
        --m_skip;
        return 0;
    }
    if (scancode == 0xE0) {
        m_e0 = true;
        return 0;
    }
    if (scancode == 0xE1) {
        m_skip = 5; // pause: E1 1D 45 E1 9D C5, all of it at the press
        m_e0 = false;
        return 0;
    }
    bool released = (scancode & 0x80) != 0;
    uint8_t code = scancode & 0x7f;
    if (m_e0) {
        m_e0 = false;
        return extended(code, released, out);
    }
    switch (code) {
    case kLeftShift:
        m_left_shift = !released;
        break;
    case kRightShift:
        m_right_shift = !released;
        break;
    case kCtrl:
        m_left_ctrl = !released;
        break;
    case kAlt:
        m_left_alt = !released;
        break;
    case kCapsLock:
        if (!released) {
            m_caps_lock = !m_caps_lock;
            m_led_change = true;
        }
        break;
    default:
        break;
    }
    if (released) return 0;
    ++m_presses;
    return character(code, out);
}

uint32_t Keyboard::extended(uint8_t code, bool released, uint8_t out[kMaxOutput]) {
    switch (code) {
    case 0x2a: // the fake shifts some keyboards wrap navigation keys in
    case 0x36:
        return 0;
    case kCtrl:
        m_right_ctrl = !released;
        break;
    case kAlt:
        m_right_alt = !released;
        break;
    default:
        break;
    }
    if (released) return 0;
    ++m_presses;
    switch (code) {
    case 0x1c:
        out[0] = '\n';
        return 1; // keypad enter
    case 0x35:
        out[0] = '/';
        return 1; // keypad /
    case 0x48:
        return sequence("A", out);
    case 0x50:
        return sequence("B", out);
    case 0x4d:
        return sequence("C", out);
    case 0x4b:
        return sequence("D", out);
    case 0x47:
        return sequence("H", out);
    case 0x4f:
        return sequence("F", out);
    case 0x52:
        return sequence("2~", out);
    case 0x53:
        return sequence("3~", out);
    case 0x49:
        return sequence("5~", out);
    case 0x51:
        return sequence("6~", out);
    default:
        return 0;
    }
}

uint32_t Keyboard::character(uint8_t code, uint8_t out[kMaxOutput]) {
    if (code >= sizeof kPlain) return 0;
    char plain = kPlain[code];
    if (plain == 0) return 0;
    bool letter = plain >= 'a' && plain <= 'z';
    bool upper = shift() != (letter && m_caps_lock);
    char c = upper ? kShifted[code] : plain;
    if (ctrl()) {
        if (letter) {
            out[0] = static_cast<uint8_t>(plain & 0x1f);
            return 1;
        }
        switch (c) {
        case '[':
        case '\\':
        case ']':
        case '^':
        case '_':
            out[0] = static_cast<uint8_t>(c & 0x1f);
            return 1;
        case ' ':
            out[0] = 0;
            return 1;
        default:
            break;
        }
    }
    out[0] = static_cast<uint8_t>(c);
    return 1;
}

} // namespace console
