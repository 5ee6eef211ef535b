/*
 * newlib's <sys/signal.h> for i686-elf, with what POSIX signals need and newlib leaves to
 * RTEMS and Cygwin: sa_sigaction beside sa_handler, SA_RESTART, SA_SIGINFO, SA_NODEFER,
 * SA_RESETHAND, SA_ONSTACK, a siginfo_t with si_addr, and the System V calls (sighold, sigrelse,
 * sigignore, sigset, SIG_HOLD). libposix implements them (libposix/README.md).
 * newlib's own struct sigaction and siginfo_t are renamed out of the way; ours keep the handler
 * first, as newlib's, so code compiled against either agrees on sa_handler.
 */
#ifndef AXO_LIBPOSIX_SYS_SIGNAL_H
#define AXO_LIBPOSIX_SYS_SIGNAL_H

#define sigaction __newlib_sigaction
#define siginfo_t __newlib_siginfo_t
#define sigwaitinfo __newlib_sigwaitinfo
#define sigtimedwait __newlib_sigtimedwait
#include_next <sys/signal.h>
#undef sigaction
#undef siginfo_t
#undef sigwaitinfo
#undef sigtimedwait

#ifdef __cplusplus
extern "C" {
#endif

#undef SA_NOCLDSTOP
#define SA_NOCLDSTOP 0x0001u
#define SA_SIGINFO 0x0002u
#define SA_ONSTACK 0x0004u
#define SA_RESTART 0x0008u
#define SA_NODEFER 0x0010u
#define SA_RESETHAND 0x0020u
#define SA_NOCLDWAIT 0x0040u

/* si_code values beside newlib's SI_USER .. SI_MESGQ (1..5). */
#define SEGV_MAPERR 16
#define SEGV_ACCERR 17
#define ILL_ILLOPC 18
#define FPE_INTDIV 19
#define FPE_FLTINV 20
#define BUS_ADRALN 21
#define TRAP_BRKPT 22
#define BUS_ADRERR 23

typedef struct {
    int si_signo;
    int si_code;
    union sigval si_value;
    int si_errno;
    pid_t si_pid;
    uid_t si_uid;
    void* si_addr;
    int si_status;
} siginfo_t;

struct sigaction {
    union {
        _sig_func_ptr sa_handler;
        void (*sa_sigaction)(int, siginfo_t*, void*);
    };
    sigset_t sa_mask;
    int sa_flags;
};

int sigaction(int, const struct sigaction*, struct sigaction*);
/* newlib's prototypes name its own siginfo_t: these are the ones libposix implements. */
struct timespec;
int sigwaitinfo(const sigset_t*, siginfo_t*);
int sigtimedwait(const sigset_t*, siginfo_t*, const struct timespec*);

/* The System V calls of XSI (signal_system_v.cc); newlib declares sigpause (__xpg_sigpause),
 * sigwait, sigwaitinfo, sigtimedwait and sigaltstack itself. */
#define SIG_HOLD ((_sig_func_ptr)2)
int sighold(int);
int sigrelse(int);
int sigignore(int);
_sig_func_ptr sigset(int, _sig_func_ptr);

#ifdef __cplusplus
}
#endif

#endif /* AXO_LIBPOSIX_SYS_SIGNAL_H */
