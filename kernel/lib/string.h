// Memory and string primitives. In the kernel they come from kernel/lib/string.cc and, for
// memcpy and memset, arch/ia32/block_memory.S (the compiler also emits calls to memcpy/memset
// for aggregate copies); on the host they come from
// the C library, which the host build links instead of string.cc.
#pragma once

#include <stddef.h>

#if __STDC_HOSTED__
#include <string.h>
#else
extern "C" {
void* memcpy(void* __restrict dst, const void* __restrict src, size_t n);
void* memmove(void* dst, const void* src, size_t n);
void* memset(void* dst, int value, size_t n);
int memcmp(const void* a, const void* b, size_t n);
size_t strlen(const char* s);
size_t strnlen(const char* s, size_t max);
int strcmp(const char* a, const char* b);
int strncmp(const char* a, const char* b, size_t n);
}
#endif

namespace axo {

// Compares at most n characters; true if both strings are equal up to the first NUL or n.
inline bool str_equal(const char* a, const char* b, size_t n) {
    return strncmp(a, b, n) == 0;
}
inline bool str_equal(const char* a, const char* b) {
    return strcmp(a, b) == 0;
}

// True if `s` starts with `prefix`.
inline bool str_starts_with(const char* s, const char* prefix) {
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

// Copies at most size-1 characters and always NUL-terminates (if size > 0). Returns
// strlen(src), so truncation is `result >= size`.
inline size_t str_copy(char* dst, const char* src, size_t size) {
    size_t length = strlen(src);
    if (size > 0) {
        size_t n = length < size - 1 ? length : size - 1;
        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return length;
}

} // namespace axo
