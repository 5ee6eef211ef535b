/* TAP on the kernel debug console, for in-guest tests (tests/system's judge reads it): one
 * debug_write per line, so lines printed by other threads or processes never split one.
 * Descriptions must not contain '#' (TAP would read a directive). */
#ifndef AXO_RT_TAP_H
#define AXO_RT_TAP_H

#include <stdarg.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

void rt_tap_begin(void);
/* "ok N - description" or "not ok N - description"; returns `passed`. */
int rt_tap_check(int passed, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
int rt_tap_vcheck(int passed, const char* fmt, va_list args);
/* "ok N - description # SKIP reason": a test this configuration cannot run. */
void rt_tap_skip(const char* reason, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void rt_tap_vskip(const char* reason, const char* fmt, va_list args);
/* "# text". */
void rt_tap_diag(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void rt_tap_vdiag(const char* fmt, va_list args);
uint32_t rt_tap_failures(void);
/* The plan and the end marker `AXOLOTL: END OF TESTS`. */
void rt_tap_end(void);

#ifdef __cplusplus
}

/* The C++ face every in-guest test uses (one implementation, not one per suite). */
namespace rt::tap {

__attribute__((format(printf, 2, 3))) inline bool check(bool passed, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    rt_tap_vcheck(passed, fmt, args);
    va_end(args);
    return passed;
}

__attribute__((format(printf, 1, 2))) inline void diag(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    rt_tap_vdiag(fmt, args);
    va_end(args);
}

__attribute__((format(printf, 2, 3))) inline void skip(const char* reason, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    rt_tap_vskip(reason, fmt, args);
    va_end(args);
}

} // namespace rt::tap
#endif

#endif /* AXO_RT_TAP_H */
