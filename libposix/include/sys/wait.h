/* newlib's <sys/wait.h> and what it lacks: WCONTINUED and WIFCONTINUED (libposix's waitpid
 * reports a continued child as 0xffff, as Linux does, which none of newlib's macros match), and
 * WCOREDUMP (Linux's bit; no process leaves a core file, so it is never set). */
#ifndef AXO_LIBPOSIX_SYS_WAIT_H
#define AXO_LIBPOSIX_SYS_WAIT_H

#include_next <sys/wait.h>

#define WCONTINUED 4
#define WIFCONTINUED(w) ((w) == 0xffff)
#define WCOREDUMP(w) ((w)&0x80)

#endif /* AXO_LIBPOSIX_SYS_WAIT_H */
