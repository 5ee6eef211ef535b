/* Processes and signals, timed the same way on Axolotl (bench/guest/process_bench.c, a
 * libposix program) and on Linux (bench/linux/linux_bench.c): rdtsc, the operation, rdtsc.
 * Under `-icount shift=0,sleep=off` the delta is every instruction the system ran meanwhile —
 * the C library, the kernel, on Axolotl libposix and the servers (proc, mm, fs), and the child
 * process itself — plus the rdtsc pair. C only (newlib and glibc).
 *
 *   bench_fork_exit_wait    fork; the child _exits at once; the parent's waitpid reaps it
 *   bench_fork_exec_wait    fork; the child execs `path` (bench/guest/true.c, built for
 *                           each system as /bin/true); the parent's waitpid reaps it
 *   bench_signal_self       raise of a caught signal, from before the call until it returned
 *                           after the handler ran */
#ifndef AXO_BENCH_PROCESS_OPS_H
#define AXO_BENCH_PROCESS_OPS_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static inline uint32_t bench_process_rdtsc(void) {
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    (void)hi;
    return lo;
}

/* Both rows reap exactly the child they made, which must have exited with status 0;
 * 0 otherwise (the caller reports the row as not measurable). */
static inline uint32_t bench_reaped(pid_t child, uint32_t start) {
    int status = 0;
    if (child < 0 || waitpid(child, &status, 0) != child) return 0;
    uint32_t end = bench_process_rdtsc();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return 0;
    return end - start;
}

static inline uint32_t bench_fork_exit_wait(void) {
    uint32_t start = bench_process_rdtsc();
    pid_t child = fork();
    if (child == 0) _exit(0);
    return bench_reaped(child, start);
}

static inline uint32_t bench_fork_exec_wait(const char* path) {
    static char name[] = "true";
    char* argv[] = {name, 0};
    char* envp[] = {0};
    uint32_t start = bench_process_rdtsc();
    pid_t child = fork();
    if (child == 0) {
        execve(path, argv, envp);
        _exit(127);
    }
    return bench_reaped(child, start);
}

static volatile uint32_t bench_signals_handled;

static void bench_signal_handler(int signal) {
    (void)signal;
    bench_signals_handled = bench_signals_handled + 1;
}

/* Installs the handler of SIGUSR1 (once, before the first round): 0 on success. */
static inline int bench_signal_setup(void) {
    struct sigaction action;
    action.sa_handler = bench_signal_handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;
    return sigaction(SIGUSR1, &action, 0);
}

/* One raise of SIGUSR1 to the process itself; 0 if the handler did not run before raise
 * returned (POSIX: a signal a thread sends itself that is not blocked is delivered before
 * the call returns). */
static inline uint32_t bench_signal_self(void) {
    uint32_t before = bench_signals_handled;
    uint32_t start = bench_process_rdtsc();
    int failed = raise(SIGUSR1);
    uint32_t end = bench_process_rdtsc();
    if (failed != 0 || bench_signals_handled != before + 1) return 0;
    return end - start;
}

#endif
