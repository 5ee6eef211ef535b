// A small printf subset for the kernel console and log buffers.
//
// Conversions: %s %c %d %i %u %x %X %p %%. Length modifiers: l, ll, z. Flags: '-' (left
// justify), '0' (zero padding). A decimal field width; '*' is not supported. %s of nullptr
// prints "(null)". An unknown conversion is printed verbatim so a bad format string is
// visible in the log instead of consuming arguments.
#pragma once

#include <stdarg.h>
#include <stddef.h>

namespace axo {

// Receives formatted output piece by piece; `s` is not NUL-terminated.
using PutFn = void (*)(void* ctx, const char* s, size_t n);

// Formats without a buffer limit, handing pieces to `put`.
void vprint_to(PutFn put, void* ctx, const char* fmt, va_list args);
void print_to(PutFn put, void* ctx, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

// Like snprintf: writes at most size-1 characters plus a NUL (if size > 0) and returns the
// length the full output would have had.
size_t vformat(char* buf, size_t size, const char* fmt, va_list args);
size_t format(char* buf, size_t size, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

} // namespace axo
