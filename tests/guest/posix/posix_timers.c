/*
 * posix_suite's timers and signal waits (README.md): setitimer/getitimer (ITIMER_REAL, its
 * intervals, the one timer alarm shares), the System V signal calls (sighold, sigrelse,
 * sigignore, sigset, sigpause), sigwait/sigwaitinfo/sigtimedwait, sigaltstack with SA_ONSTACK,
 * and the realtime clock's date.
 */
/* XSI's sigpause (newlib's __xpg_sigpause), not the BSD one newlib declares by default. */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "suite.h"

static volatile sig_atomic_t alarms, usr1s;
static volatile int last_signal;

static void on_alarm(int signal) {
    (void)signal;
    ++alarms;
}

static void on_usr1(int signal) {
    last_signal = signal;
    ++usr1s;
}

static void set_handler(int signal, void (*handler)(int), int flags) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    action.sa_flags = flags;
    sigemptyset(&action.sa_mask);
    sigaction(signal, &action, NULL);
}

static uint64_t now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

static long timeval_ms(struct timeval value) {
    return (long)value.tv_sec * 1000 + (long)value.tv_usec / 1000;
}

static void test_interval_timers(void) {
    struct itimerval value, old;
    memset(&value, 0, sizeof value);
    ok(getitimer(ITIMER_REAL, &old) == 0 && old.it_value.tv_sec == 0 && old.it_value.tv_usec == 0,
       "getitimer: no timer armed at first");
    value.it_value.tv_usec = 100000;
    ok(setitimer(ITIMER_VIRTUAL, &value, NULL) == -1 && errno == EINVAL,
       "setitimer(ITIMER_VIRTUAL): EINVAL (no CPU time is kept)");
    ok(setitimer(ITIMER_PROF, &value, NULL) == -1 && errno == EINVAL,
       "setitimer(ITIMER_PROF): EINVAL");
    ok(getitimer(ITIMER_VIRTUAL, &old) == -1 && errno == EINVAL,
       "getitimer(ITIMER_VIRTUAL): EINVAL");
    value.it_value.tv_usec = 1000000;
    ok(setitimer(ITIMER_REAL, &value, NULL) == -1 && errno == EINVAL,
       "setitimer with tv_usec 1000000: EINVAL");

    /* One shot. */
    set_handler(SIGALRM, on_alarm, 0);
    alarms = 0;
    memset(&value, 0, sizeof value);
    value.it_value.tv_usec = 200000;
    uint64_t start = now_ms();
    ok(setitimer(ITIMER_REAL, &value, &old) == 0 && old.it_value.tv_usec == 0,
       "setitimer(ITIMER_REAL, 200 ms)");
    ok(getitimer(ITIMER_REAL, &old) == 0 && timeval_ms(old.it_value) > 0 &&
           timeval_ms(old.it_value) <= 200 && timeval_ms(old.it_interval) == 0,
       "getitimer: %ld ms left, no interval", timeval_ms(old.it_value));
    while (alarms == 0 && now_ms() - start < 3000)
        pause();
    uint64_t took = now_ms() - start;
    ok(alarms == 1 && took >= 190 && took < 1500, "the timer fires once, after %u ms",
       (unsigned)took);
    usleep(300000);
    ok(alarms == 1, "a one-shot timer does not fire again");
    ok(getitimer(ITIMER_REAL, &old) == 0 && old.it_value.tv_sec == 0 && old.it_value.tv_usec == 0,
       "getitimer after it fired: disarmed");

    /* Periodic. */
    alarms = 0;
    value.it_value.tv_usec = 50000;
    value.it_interval.tv_usec = 50000;
    start = now_ms();
    ok(setitimer(ITIMER_REAL, &value, NULL) == 0, "setitimer(50 ms, interval 50 ms)");
    while (alarms < 5 && now_ms() - start < 5000)
        pause();
    took = now_ms() - start;
    ok(alarms >= 5 && took >= 240, "the interval repeats: %d signals in %u ms", (int)alarms,
       (unsigned)took);
    memset(&value, 0, sizeof value);
    ok(setitimer(ITIMER_REAL, &value, &old) == 0 && timeval_ms(old.it_interval) == 50 &&
           timeval_ms(old.it_value) <= 50,
       "setitimer(0) disarms it and returns the old interval (%ld ms) and value (%ld ms)",
       timeval_ms(old.it_interval), timeval_ms(old.it_value));
    int seen = alarms;
    usleep(200000);
    ok(alarms == seen, "no signal after the timer was disarmed");

    /* alarm() and ITIMER_REAL are one timer. */
    value.it_value.tv_sec = 3;
    value.it_value.tv_usec = 0;
    setitimer(ITIMER_REAL, &value, NULL);
    ok(alarm(0) == 3, "alarm(0) returns the seconds left of setitimer's timer");
    ok(getitimer(ITIMER_REAL, &old) == 0 && old.it_value.tv_sec == 0 && old.it_value.tv_usec == 0,
       "and cancelled it");
    alarm(5);
    ok(getitimer(ITIMER_REAL, &old) == 0 && old.it_value.tv_sec >= 4 && old.it_value.tv_sec <= 5 &&
           timeval_ms(old.it_interval) == 0,
       "getitimer sees alarm(5)'s deadline (%ld ms)", timeval_ms(old.it_value));
    pid_t child = fork();
    if (child == 0) {
        struct itimerval mine;
        _exit(getitimer(ITIMER_REAL, &mine) == 0 && mine.it_value.tv_sec == 0 &&
                      mine.it_value.tv_usec == 0
                  ? 0
                  : 1);
    }
    int status = reap(child);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a fork's child has no timer");
    alarm(0);
    set_handler(SIGALRM, SIG_DFL, 0);
}

static void test_system_v_calls(void) {
    set_handler(SIGUSR1, on_usr1, 0);
    usr1s = 0;
    sigset_t pending, mask;
    ok(sighold(SIGUSR1) == 0, "sighold(SIGUSR1)");
    raise(SIGUSR1);
    ok(usr1s == 0 && sigpending(&pending) == 0 && sigismember(&pending, SIGUSR1),
       "a held signal stays pending");
    ok(sigrelse(SIGUSR1) == 0 && usr1s == 1, "sigrelse delivers it");
    ok(sighold(SIGKILL) == -1 && errno == EINVAL, "sighold(SIGKILL): EINVAL");
    ok(sigrelse(0) == -1 && errno == EINVAL, "sigrelse(0): EINVAL");

    ok(sigignore(SIGUSR1) == 0, "sigignore(SIGUSR1)");
    struct sigaction action;
    ok(sigaction(SIGUSR1, NULL, &action) == 0 && action.sa_handler == SIG_IGN,
       "its disposition is SIG_IGN");
    raise(SIGUSR1);
    ok(usr1s == 1, "an ignored signal does nothing");
    ok(sigignore(SIGSTOP) == -1 && errno == EINVAL, "sigignore(SIGSTOP): EINVAL");

    ok(sigset(SIGUSR1, on_usr1) == SIG_IGN, "sigset returns the previous disposition");
    raise(SIGUSR1);
    ok(usr1s == 2, "sigset's handler runs");
    ok(sigset(SIGUSR1, SIG_HOLD) == on_usr1,
       "sigset(SIG_HOLD) of an unblocked signal: its handler");
    ok(sigset(SIGUSR1, SIG_HOLD) == SIG_HOLD, "sigset(SIG_HOLD) again: SIG_HOLD (it was blocked)");
    raise(SIGUSR1);
    ok(usr1s == 2, "held by sigset: pending");
    ok(sigset(SIGUSR1, on_usr1) == SIG_HOLD && usr1s == 3,
       "sigset of a handler unblocks it (SIG_HOLD returned) and it is delivered");
    sigprocmask(SIG_SETMASK, NULL, &mask);
    ok(!sigismember(&mask, SIGUSR1), "and the mask no longer has it");
    errno = 0;
    ok(sigset(SIGKILL, SIG_IGN) == SIG_ERR && errno == EINVAL, "sigset(SIGKILL): SIG_ERR, EINVAL");

    /* sigpause: SIGUSR1 held; a child sends it; sigpause(SIGUSR1) waits for it. */
    usr1s = 0;
    sighold(SIGUSR1);
    pid_t parent = getpid();
    pid_t child = fork();
    if (child == 0) {
        usleep(100000);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    int result = sigpause(SIGUSR1);
    ok(result == -1 && errno == EINTR && usr1s == 1, "sigpause returns EINTR after the handler");
    sigprocmask(SIG_SETMASK, NULL, &mask);
    ok(sigismember(&mask, SIGUSR1), "sigpause restores the mask (SIGUSR1 held again)");
    reap(child);
    ok(sigpause(-1) == -1 && errno == EINVAL, "sigpause(-1): EINVAL");
    sigrelse(SIGUSR1);
    set_handler(SIGUSR1, SIG_DFL, 0);
}

static void test_signal_waits(void) {
    sigset_t set, pending;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, NULL);
    set_handler(SIGUSR1, on_usr1, 0);
    set_handler(SIGUSR2, SIG_DFL, 0); /* an ignored signal would be discarded, not pending */
    usr1s = 0;
    raise(SIGUSR2);
    raise(SIGUSR1);
    int signal = 0;
    int result = sigwait(&set, &signal);
    ok(result == 0 && signal == SIGUSR1 && usr1s == 0,
       "sigwait returns a pending signal (%d) without running its handler", signal);
    ok(sigpending(&pending) == 0 && sigismember(&pending, SIGUSR2) &&
           !sigismember(&pending, SIGUSR1),
       "one signal is taken, the other stays pending");
    ok(sigwait(&set, &signal) == 0 && signal == SIGUSR2, "a second sigwait takes SIGUSR2");
    ok(sigpending(&pending) == 0 && !sigismember(&pending, SIGUSR2), "nothing is pending then");
    struct sigaction action;
    ok(sigaction(SIGUSR1, NULL, &action) == 0 && action.sa_handler == on_usr1,
       "sigwait leaves the disposition as it was");

    /* A signal that comes while sigwait waits. */
    pid_t parent = getpid();
    pid_t child = fork();
    if (child == 0) {
        usleep(150000);
        kill(parent, SIGUSR2);
        _exit(0);
    }
    uint64_t start = now_ms();
    signal = 0;
    result = sigwait(&set, &signal);
    ok(result == 0 && signal == SIGUSR2 && now_ms() - start >= 100,
       "sigwait waits for a signal sent later (%d after %u ms)", signal,
       (unsigned)(now_ms() - start));
    reap(child);

    /* SIGCHLD, whose default is to ignore, is waited for while blocked. */
    sigset_t child_set;
    sigemptyset(&child_set);
    sigaddset(&child_set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &child_set, NULL);
    child = fork();
    if (child == 0) _exit(0);
    ok(sigwait(&child_set, &signal) == 0 && signal == SIGCHLD, "sigwait for SIGCHLD");
    reap(child);
    sigprocmask(SIG_UNBLOCK, &child_set, NULL);

    siginfo_t info;
    memset(&info, 0, sizeof info);
    raise(SIGUSR1);
    ok(sigwaitinfo(&set, &info) == SIGUSR1 && info.si_signo == SIGUSR1 && info.si_code == SI_USER,
       "sigwaitinfo: the signal and its siginfo (si_code %d)", info.si_code);
    struct timespec timeout = {0, 100000000};
    start = now_ms();
    ok(sigtimedwait(&set, &info, &timeout) == -1 && errno == EAGAIN && now_ms() - start >= 95,
       "sigtimedwait: EAGAIN after the timeout (%u ms)", (unsigned)(now_ms() - start));
    struct timespec zero = {0, 0};
    raise(SIGUSR2);
    ok(sigtimedwait(&set, &info, &zero) == SIGUSR2, "sigtimedwait with 0 takes a pending signal");
    child = fork();
    if (child == 0) {
        usleep(100000);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    timeout.tv_sec = 5;
    timeout.tv_nsec = 0;
    start = now_ms();
    int got = sigtimedwait(&set, &info, &timeout);
    ok(got == SIGUSR1 && now_ms() - start < 4000, "sigtimedwait ends when the signal comes (%u ms)",
       (unsigned)(now_ms() - start));
    reap(child);
    timeout.tv_nsec = 1000000000L;
    ok(sigtimedwait(&set, &info, &timeout) == -1 && errno == EINVAL,
       "sigtimedwait with tv_nsec 1e9: EINVAL");
    ok(usr1s == 0, "no handler ran for a waited signal");
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    set_handler(SIGUSR1, SIG_DFL, 0);
}

/* ---- sigaltstack ---- */
static char alternate[SIGSTKSZ] __attribute__((aligned(16)));
static char other[SIGSTKSZ];
static volatile uintptr_t handler_local;
static volatile int handler_flags, handler_change_errno;
static sigjmp_buf leave_stack;

static int on_alternate(uintptr_t address) {
    return address >= (uintptr_t)alternate && address < (uintptr_t)alternate + sizeof alternate;
}

static void on_stack_handler(int signal) {
    (void)signal;
    volatile int local = 0;
    handler_local = (uintptr_t)&local;
    stack_t now;
    handler_flags = sigaltstack(NULL, &now) == 0 ? now.ss_flags : -1;
    /* Only on it: off it the change would be allowed, and the next handler would use `other`. */
    stack_t change = {other, 0, sizeof other};
    if (handler_flags == SS_ONSTACK)
        handler_change_errno = sigaltstack(&change, NULL) == -1 ? errno : 0;
}

static void leave_stack_handler(int signal) {
    on_stack_handler(signal);
    siglongjmp(leave_stack, 1);
}

static void test_alternate_stack(void) {
    stack_t old, stack;
    ok(sigaltstack(NULL, &old) == 0 && old.ss_flags == SS_DISABLE,
       "sigaltstack: none at first (SS_DISABLE)");
    stack.ss_sp = alternate;
    stack.ss_size = MINSIGSTKSZ - 1;
    stack.ss_flags = 0;
    ok(sigaltstack(&stack, NULL) == -1 && errno == ENOMEM, "a stack below MINSIGSTKSZ: ENOMEM");
    stack.ss_size = sizeof alternate;
    stack.ss_flags = SS_DISABLE + 1;
    ok(sigaltstack(&stack, NULL) == -1 && errno == EINVAL, "unknown ss_flags: EINVAL");
    stack.ss_flags = 0;
    ok(sigaltstack(&stack, NULL) == 0, "sigaltstack sets a stack of SIGSTKSZ");
    ok(sigaltstack(NULL, &old) == 0 && old.ss_sp == alternate && old.ss_size == sizeof alternate &&
           old.ss_flags == 0,
       "and reports it (not on it: flags 0)");

    set_handler(SIGUSR1, on_stack_handler, SA_ONSTACK);
    handler_local = 0;
    raise(SIGUSR1);
    ok(on_alternate(handler_local), "an SA_ONSTACK handler runs on the alternate stack (%#lx)",
       (unsigned long)handler_local);
    ok(handler_flags == SS_ONSTACK, "sigaltstack in the handler says SS_ONSTACK");
    ok(handler_change_errno == EPERM, "changing the stack while on it: EPERM");

    set_handler(SIGUSR1, on_stack_handler, 0);
    handler_local = 0;
    raise(SIGUSR1);
    ok(handler_local != 0 && !on_alternate(handler_local),
       "a handler without SA_ONSTACK runs on the thread's stack");

    /* A diversion (the timer, while the thread computes) leads to the alternate stack too. */
    set_handler(SIGALRM, on_stack_handler, SA_ONSTACK);
    handler_local = 0;
    struct itimerval value;
    memset(&value, 0, sizeof value);
    value.it_value.tv_usec = 50000;
    setitimer(ITIMER_REAL, &value, NULL);
    uint64_t start = now_ms();
    while (handler_local == 0 && now_ms() - start < 3000) {
    }
    ok(on_alternate(handler_local),
       "a signal that interrupts a computing loop: alternate stack (%#lx, flags %d)",
       (unsigned long)handler_local, handler_flags);
    set_handler(SIGALRM, SIG_DFL, 0);

    /* Leaving the handler by siglongjmp leaves the stack. */
    set_handler(SIGUSR1, leave_stack_handler, SA_ONSTACK);
    if (sigsetjmp(leave_stack, 1) == 0) {
        raise(SIGUSR1);
        ok(0, "siglongjmp out of the handler");
    }
    ok(on_alternate(handler_local) && sigaltstack(NULL, &old) == 0 && old.ss_flags == 0,
       "after a siglongjmp out of the handler the thread is off the stack");

    stack.ss_flags = SS_DISABLE;
    ok(sigaltstack(&stack, NULL) == 0 && sigaltstack(NULL, &old) == 0 && old.ss_flags == SS_DISABLE,
       "SS_DISABLE disables it");
    set_handler(SIGUSR1, on_stack_handler, SA_ONSTACK);
    handler_local = 0;
    raise(SIGUSR1);
    ok(handler_local != 0 && !on_alternate(handler_local),
       "SA_ONSTACK without a stack: the thread's stack");
    set_handler(SIGUSR1, SIG_DFL, 0);
}

static void test_realtime(void) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm date;
    gmtime_r(&now.tv_sec, &date);
    ok(date.tm_year + 1900 >= 2026, "CLOCK_REALTIME is today's date (the RTC's): %04d-%02d-%02d",
       date.tm_year + 1900, date.tm_mon + 1, date.tm_mday);
    ok(time(NULL) >= now.tv_sec && time(NULL) - now.tv_sec < 5, "time() agrees with it");
    ok(sysconf(_SC_MEMORY_PROTECTION) == _POSIX_MEMORY_PROTECTION && _POSIX_MEMORY_PROTECTION > 0,
       "_POSIX_MEMORY_PROTECTION and sysconf agree");
}

void test_timers_and_signal_waits(void) {
    test_interval_timers();
    test_system_v_calls();
    test_signal_waits();
    test_alternate_stack();
    test_realtime();
}
