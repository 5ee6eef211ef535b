// The C memory and string functions the kernel needs, including the ones the compiler emits
// calls to on its own (memcpy, memmove, memset, memcmp for aggregate copies and comparisons).
// Kernel only: host builds use the C library.
//
// The optimize attribute stops GCC from recognising these loops as memcpy/memset idioms and
// compiling them into calls to themselves.
#include "kernel/lib/string.h"

#include <stdint.h>

#define AXO_NO_LIBCALLS __attribute__((optimize("no-tree-loop-distribute-patterns")))

namespace {
// Word access to memory of any type without breaking strict aliasing.
typedef uint32_t __attribute__((may_alias)) AliasingWord;
} // namespace

extern "C" {

AXO_NO_LIBCALLS void* memcpy(void* __restrict dst, const void* __restrict src, size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    auto* s = static_cast<const unsigned char*>(src);
    // Word copies when both are equally aligned: the common case for page and object copies.
    if (((reinterpret_cast<uintptr_t>(d) ^ reinterpret_cast<uintptr_t>(s)) & 3) == 0) {
        while (n > 0 && (reinterpret_cast<uintptr_t>(d) & 3) != 0) {
            *d++ = *s++;
            --n;
        }
        auto* dw = reinterpret_cast<AliasingWord*>(d);
        auto* sw = reinterpret_cast<const AliasingWord*>(s);
        for (; n >= 4; n -= 4)
            *dw++ = *sw++;
        d = reinterpret_cast<unsigned char*>(dw);
        s = reinterpret_cast<const unsigned char*>(sw);
    }
    while (n-- > 0)
        *d++ = *s++;
    return dst;
}

AXO_NO_LIBCALLS void* memmove(void* dst, const void* src, size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    auto* s = static_cast<const unsigned char*>(src);
    if (d == s || n == 0) return dst;
    auto da = reinterpret_cast<uintptr_t>(d);
    auto sa = reinterpret_cast<uintptr_t>(s);
    if (da < sa || da - sa >= n) return memcpy(dst, src, n);
    // Overlapping with dst above src: copy backwards.
    while (n-- > 0)
        d[n] = s[n];
    return dst;
}

AXO_NO_LIBCALLS void* memset(void* dst, int value, size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    auto byte = static_cast<unsigned char>(value);
    while (n > 0 && (reinterpret_cast<uintptr_t>(d) & 3) != 0) {
        *d++ = byte;
        --n;
    }
    uint32_t word = byte * 0x01010101u;
    auto* dw = reinterpret_cast<AliasingWord*>(d);
    for (; n >= 4; n -= 4)
        *dw++ = word;
    d = reinterpret_cast<unsigned char*>(dw);
    while (n-- > 0)
        *d++ = byte;
    return dst;
}

AXO_NO_LIBCALLS int memcmp(const void* a, const void* b, size_t n) {
    auto* x = static_cast<const unsigned char*>(a);
    auto* y = static_cast<const unsigned char*>(b);
    for (size_t i = 0; i < n; ++i) {
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    }
    return 0;
}

AXO_NO_LIBCALLS size_t strlen(const char* s) {
    size_t n = 0;
    while (s[n] != '\0')
        ++n;
    return n;
}

AXO_NO_LIBCALLS size_t strnlen(const char* s, size_t max) {
    size_t n = 0;
    while (n < max && s[n] != '\0')
        ++n;
    return n;
}

AXO_NO_LIBCALLS int strcmp(const char* a, const char* b) {
    auto* x = reinterpret_cast<const unsigned char*>(a);
    auto* y = reinterpret_cast<const unsigned char*>(b);
    while (*x != '\0' && *x == *y) {
        ++x;
        ++y;
    }
    return *x == *y ? 0 : (*x < *y ? -1 : 1);
}

AXO_NO_LIBCALLS int strncmp(const char* a, const char* b, size_t n) {
    auto* x = reinterpret_cast<const unsigned char*>(a);
    auto* y = reinterpret_cast<const unsigned char*>(b);
    for (size_t i = 0; i < n; ++i) {
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
        if (x[i] == '\0') return 0;
    }
    return 0;
}

} // extern "C"
