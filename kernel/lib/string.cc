// The C memory and string functions the kernel needs, including the ones the compiler emits
// calls to on its own (memmove, memcmp for aggregate copies and comparisons; memcpy and memset,
// the bulk ones, are the architecture's: arch/ia32/block_memory.S).
// Kernel only: host builds use the C library.
//
// The optimize attribute stops GCC from recognising these loops as memcpy/memset idioms and
// compiling them into calls to themselves.
#include "kernel/lib/string.h"

#include <stdint.h>

#define AXO_NO_LIBCALLS __attribute__((optimize("no-tree-loop-distribute-patterns")))

extern "C" {

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
