/* newlib's <setjmp.h>, and POSIX's sigsetjmp/siglongjmp, which newlib offers only to Cygwin and
 * RTEMS: a jmp_buf, a flag and the saved mask. sigsetjmp must be a macro (setjmp returns twice
 * into its caller's frame); siglongjmp restores the mask first if sigsetjmp saved it. */
#ifndef AXO_LIBPOSIX_SETJMP_H
#define AXO_LIBPOSIX_SETJMP_H

#include_next <setjmp.h>
#include <signal.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    jmp_buf buffer;
    int save_mask;
    sigset_t mask;
} sigjmp_buf[1];

#define sigsetjmp(env, savemask)                                                                   \
    ((env)[0].save_mask = (savemask),                                                              \
     (env)[0].save_mask ? (void)sigprocmask(SIG_SETMASK, 0, &(env)[0].mask) : (void)0,             \
     setjmp((env)[0].buffer))

void siglongjmp(sigjmp_buf env, int value) __attribute__((__noreturn__));

#ifdef __cplusplus
}
#endif

#endif /* AXO_LIBPOSIX_SETJMP_H */
