#include "kernel/command_line.h"

#include "kernel/lib/string.h"

namespace axo {

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t';
}

bool str_equal_nocase(const char* a, const char* b) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    for (; *a != '\0' && *b != '\0'; ++a, ++b) {
        if (lower(*a) != lower(*b)) return false;
    }
    return *a == *b;
}

} // namespace

Result<CommandLine> CommandLine::parse(const char* text) {
    CommandLine line;
    if (text == nullptr) return line;
    size_t length = strnlen(text, kMaxLength + 1);
    if (length > kMaxLength) return Error::out_of_range;
    memcpy(line.m_buffer, text, length);
    line.m_buffer[length] = '\0';
    // Offset `length` always holds a NUL: the value of every bare word.
    const auto empty = static_cast<uint16_t>(length);

    size_t i = 0;
    while (i < length) {
        while (i < length && is_space(line.m_buffer[i]))
            line.m_buffer[i++] = '\0';
        if (i >= length) break;
        size_t key = i;
        size_t value = empty;
        while (i < length && !is_space(line.m_buffer[i])) {
            if (line.m_buffer[i] == '=' && value == empty) {
                line.m_buffer[i] = '\0';
                value = i + 1; // may be the terminator of `key=`: an empty value
            }
            ++i;
        }
        if (i < length) line.m_buffer[i++] = '\0';
        if (line.m_buffer[key] == '\0') return Error::malformed;

        int existing = line.find(line.m_buffer + key);
        if (existing >= 0) {
            line.m_options[existing].value = static_cast<uint16_t>(value);
            continue;
        }
        if (line.m_count == kMaxOptions) return Error::out_of_range;
        line.m_options[line.m_count++] = {static_cast<uint16_t>(key), static_cast<uint16_t>(value)};
    }
    return line;
}

int CommandLine::find(const char* key) const {
    for (size_t i = 0; i < m_count; ++i) {
        if (str_equal(m_buffer + m_options[i].key, key)) return static_cast<int>(i);
    }
    return -1;
}

const char* CommandLine::get(const char* key) const {
    if (key == nullptr) return nullptr;
    int index = find(key);
    return index < 0 ? nullptr : value_at(static_cast<size_t>(index));
}

uint32_t CommandLine::get_uint(const char* key, uint32_t fallback) const {
    const char* s = get(key);
    if (s == nullptr || *s == '\0') return fallback;
    uint32_t base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
        if (*s == '\0') return fallback;
    }
    uint64_t value = 0;
    for (; *s != '\0'; ++s) {
        uint32_t digit;
        if (*s >= '0' && *s <= '9')
            digit = static_cast<uint32_t>(*s - '0');
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            digit = static_cast<uint32_t>(*s - 'a' + 10);
        else if (base == 16 && *s >= 'A' && *s <= 'F')
            digit = static_cast<uint32_t>(*s - 'A' + 10);
        else
            return fallback;
        value = value * base + digit;
        if (value > UINT32_MAX) return fallback;
    }
    return static_cast<uint32_t>(value);
}

bool CommandLine::get_bool(const char* key, bool fallback) const {
    const char* s = get(key);
    if (s == nullptr) return fallback;
    if (*s == '\0') return true;
    static const char* const kYes[] = {"1", "yes", "on", "true"};
    static const char* const kNo[] = {"0", "no", "off", "false"};
    for (const char* yes : kYes) {
        if (str_equal_nocase(s, yes)) return true;
    }
    for (const char* no : kNo) {
        if (str_equal_nocase(s, no)) return false;
    }
    return fallback;
}

} // namespace axo
