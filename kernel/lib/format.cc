#include "kernel/lib/format.h"

#include <stdint.h>

#include "kernel/lib/string.h"

namespace axo {

namespace {

struct Spec {
    bool left = false;
    bool zero = false;
    size_t width = 0;
};

class Printer {
public:
    Printer(PutFn put, void* ctx) : m_put(put), m_ctx(ctx) {}

    void put(const char* s, size_t n) {
        if (n > 0) m_put(m_ctx, s, n);
    }
    void pad(char c, size_t n) {
        char chunk[16];
        memset(chunk, c, sizeof chunk);
        while (n > 0) {
            size_t k = n < sizeof chunk ? n : sizeof chunk;
            put(chunk, k);
            n -= k;
        }
    }

    // `prefix` ("-", "0x") goes before zero padding but after space padding.
    void field(const Spec& spec, const char* prefix, const char* body, size_t body_len) {
        size_t prefix_len = strlen(prefix);
        size_t len = prefix_len + body_len;
        size_t fill = spec.width > len ? spec.width - len : 0;
        if (spec.left) {
            put(prefix, prefix_len);
            put(body, body_len);
            pad(' ', fill);
        } else if (spec.zero) {
            put(prefix, prefix_len);
            pad('0', fill);
            put(body, body_len);
        } else {
            pad(' ', fill);
            put(prefix, prefix_len);
            put(body, body_len);
        }
    }

    void number(const Spec& spec, uint64_t value, unsigned base, bool upper, const char* prefix) {
        const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
        char buf[24]; // 2^64 has 20 decimal digits
        size_t i = sizeof buf;
        do {
            buf[--i] = digits[value % base];
            value /= base;
        } while (value != 0);
        field(spec, prefix, buf + i, sizeof buf - i);
    }

private:
    PutFn m_put;
    void* m_ctx;
};

enum class Length { normal, l, ll, z };

// Reads one argument of the given length. On i386 `long` and `size_t` are 32 bits and on
// x86-64 64 bits, so each is fetched with its own type, never assumed.
uint64_t fetch_unsigned(va_list& args, Length length) {
    switch (length) {
    case Length::l:
        return va_arg(args, unsigned long);
    case Length::ll:
        return va_arg(args, unsigned long long);
    case Length::z:
        return va_arg(args, size_t);
    case Length::normal:
        break;
    }
    return va_arg(args, unsigned int);
}

int64_t fetch_signed(va_list& args, Length length) {
    switch (length) {
    case Length::l:
        return va_arg(args, long);
    case Length::ll:
        return va_arg(args, long long);
    // The signed counterpart of size_t (ssize_t); same width as long on both targets.
    case Length::z:
        return static_cast<int64_t>(static_cast<long>(va_arg(args, size_t)));
    case Length::normal:
        break;
    }
    return va_arg(args, int);
}

void run(Printer& out, const char* fmt, va_list& args) {
    while (*fmt != '\0') {
        if (*fmt != '%') {
            const char* start = fmt;
            while (*fmt != '\0' && *fmt != '%')
                ++fmt;
            out.put(start, static_cast<size_t>(fmt - start));
            continue;
        }
        const char* directive = fmt++;
        Spec spec;
        for (;; ++fmt) {
            if (*fmt == '-')
                spec.left = true;
            else if (*fmt == '0')
                spec.zero = true;
            else
                break;
        }
        while (*fmt >= '0' && *fmt <= '9') {
            // Clamp absurd widths rather than overflow.
            if (spec.width < 4096) spec.width = spec.width * 10 + static_cast<size_t>(*fmt - '0');
            ++fmt;
        }
        Length length = Length::normal;
        if (*fmt == 'l') {
            ++fmt;
            length = Length::l;
            if (*fmt == 'l') {
                ++fmt;
                length = Length::ll;
            }
        } else if (*fmt == 'z') {
            ++fmt;
            length = Length::z;
        }

        char conversion = *fmt;
        if (conversion != '\0') ++fmt;
        switch (conversion) {
        case 'd':
        case 'i': {
            int64_t value = fetch_signed(args, length);
            // Negate in unsigned arithmetic so INT64_MIN does not overflow.
            uint64_t magnitude =
                value < 0 ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
            out.number(spec, magnitude, 10, false, value < 0 ? "-" : "");
            break;
        }
        case 'u':
            out.number(spec, fetch_unsigned(args, length), 10, false, "");
            break;
        case 'x':
            out.number(spec, fetch_unsigned(args, length), 16, false, "");
            break;
        case 'X':
            out.number(spec, fetch_unsigned(args, length), 16, true, "");
            break;
        case 'p': {
            auto value = reinterpret_cast<uintptr_t>(va_arg(args, void*));
            out.number(spec, value, 16, false, "0x");
            break;
        }
        case 'c': {
            char c = static_cast<char>(va_arg(args, int));
            Spec plain = spec;
            plain.zero = false;
            out.field(plain, "", &c, 1);
            break;
        }
        case 's': {
            const char* s = va_arg(args, const char*);
            if (s == nullptr) s = "(null)";
            Spec plain = spec;
            plain.zero = false;
            out.field(plain, "", s, strlen(s));
            break;
        }
        case '%':
            out.put("%", 1);
            break;
        default:
            // Unknown or truncated directive: show it as written.
            out.put(directive, static_cast<size_t>(fmt - directive));
            break;
        }
    }
}

struct BufferSink {
    char* buf;
    size_t size;  // capacity including the NUL
    size_t total; // length the full output has
};

void buffer_put(void* ctx, const char* s, size_t n) {
    auto* sink = static_cast<BufferSink*>(ctx);
    if (sink->size > 0 && sink->total < sink->size - 1) {
        size_t room = sink->size - 1 - sink->total;
        memcpy(sink->buf + sink->total, s, n < room ? n : room);
    }
    sink->total += n;
}

} // namespace

void vprint_to(PutFn put, void* ctx, const char* fmt, va_list args) {
    Printer printer(put, ctx);
    va_list copy;
    va_copy(copy, args);
    run(printer, fmt, copy);
    va_end(copy);
}

void print_to(PutFn put, void* ctx, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vprint_to(put, ctx, fmt, args);
    va_end(args);
}

size_t vformat(char* buf, size_t size, const char* fmt, va_list args) {
    BufferSink sink{buf, size, 0};
    vprint_to(buffer_put, &sink, fmt, args);
    if (size > 0) buf[sink.total < size - 1 ? sink.total : size - 1] = '\0';
    return sink.total;
}

size_t format(char* buf, size_t size, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    size_t n = vformat(buf, size, fmt, args);
    va_end(args);
    return n;
}

} // namespace axo
