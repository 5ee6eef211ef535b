/* init (README.md): runs /etc/rc with /bin/sh if it is there, then a login shell on the
 * console, started again whenever it ends; every child that ends is reaped by the one
 * waitpid(-1) loop. SIGUSR2 (busybox's poweroff), SIGUSR1 (halt) and SIGTERM (reboot) shut the
 * system down: every other process gets SIGTERM, then SIGKILL, and reboot() makes fs write
 * everything and mark its disk clean before proc stops the machine. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "axolotl/syscalls.h"
#include "interfaces/names/wire.h"

#define SHELL "/bin/sh"
#define RC "/etc/rc"

/* A shell that ends this soon after its start counts as failing; after kQuickExits of them in
 * a row init waits kBackoffSeconds before the next, so that a missing or broken /bin/sh does
 * not make init spin. */
enum { kQuickSeconds = 2, kQuickExits = 3, kBackoffSeconds = 10 };

static char* shell_environment[] = {
    "PATH=/bin:/sbin:/usr/bin:/usr/sbin",
    "HOME=/root",
    "USER=root",
    "LOGNAME=root",
    "TERM=vt100",
    "SHELL=" SHELL,
    NULL,
};

/* The shutdown signal that came (0: none yet). */
static volatile sig_atomic_t stop_signal = 0;

static void on_stop(int signal) {
    stop_signal = signal;
}

/* Waits until a server registers `name` with proc's name service (kNameWait, interfaces/names),
 * at most `timeout_us`: proc answers when the name comes, so nothing polls meanwhile. A
 * request in lib/ipc's shape: label, the name's 8 words; the reply's label is the error (0). */
static int wait_for_server(const char* name, uint32_t timeout_us) {
    char bytes[AXO_NAME_BYTES] = {0};
    strncpy(bytes, name, AXO_NAME_BYTES - 1);
    axo_utcb_t* utcb = axo_my_utcb();
    memcpy(&utcb->mr[1], bytes, AXO_NAME_BYTES);
    utcb->mr[0] = axo_msg_tag(AXO_NAME_WAIT, AXO_NAME_BYTES / 4, 0);
    axo_msg_tag_t tag = axo_ipc_call(axo_kernel_interface()->root_task,
                                     axo_timeouts(AXO_TIMEOUT_NEVER, axo_timeout_us(timeout_us)));
    return !axo_tag_failed(tag) && axo_tag_label(tag) == 0;
}

/* kill(-1) reaches every process but init and the system's servers (interfaces/process). */
static int others_left(void) {
    return kill(-1, 0) == 0;
}

static void reap_and_wait_for_others(int tenths) {
    for (int i = 0; i < tenths && others_left(); ++i) {
        while (waitpid(-1, NULL, WNOHANG) > 0) {
        }
        usleep(100000);
    }
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
}

static void say(const char* what, const char* detail) {
    fprintf(stderr, "init: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
}

/* Forks a child that runs SHELL with `argv`; its pid, or -1. */
static pid_t start(char* const argv[], int new_session) {
    pid_t pid = fork();
    if (pid < 0) {
        say("fork failed", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        if (new_session) {
            /* The console becomes the new session's controlling terminal with the shell's group
             * in the foreground, as login_tty does: a job-control shell (dash -i) waits with
             * SIGTTIN until its group is the terminal's foreground group. */
            (void)setsid();
            (void)tcsetpgrp(0, getpid());
        }
        signal(SIGINT, SIG_DFL);
        signal(SIGQUIT, SIG_DFL);
        signal(SIGUSR1, SIG_DFL);
        signal(SIGUSR2, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        execve(SHELL, argv, shell_environment);
        fprintf(stderr, "init: cannot run %s: %s\n", SHELL, strerror(errno));
        _exit(127);
    }
    return pid;
}

static void shut_down(void) {
    int how = stop_signal == SIGTERM ? RB_AUTOBOOT : RB_POWER_OFF;
    say(how == RB_AUTOBOOT ? "the system is going down for a reboot"
                           : "the system is going down: power off",
        NULL);
    (void)kill(-1, SIGTERM);
    reap_and_wait_for_others(20);
    if (others_left()) {
        (void)kill(-1, SIGKILL);
        reap_and_wait_for_others(20);
    }
    sync();
    (void)reboot(how);
    if (how == RB_AUTOBOOT) {
        say("reboot failed", strerror(errno));
        say("powering off instead", NULL);
        (void)reboot(RB_POWER_OFF);
    }
    say("power off failed", strerror(errno));
    for (;;)
        pause();
}

/* Reaps children until `pid` ended; returns its status (or -1 if it vanished). A shutdown
 * signal ends the wait there (the handler interrupts waitpid). */
static int wait_for(pid_t pid) {
    for (;;) {
        if (stop_signal != 0) shut_down();
        int status = 0;
        pid_t ended = waitpid(-1, &status, 0);
        if (ended == pid) return status;
        if (ended < 0 && errno != EINTR) return -1;
    }
}

static void run_rc(void) {
    int fd = open(RC, O_RDONLY);
    if (fd < 0) return; /* no /etc/rc: nothing to run */
    close(fd);
    char* argv[] = {"sh", RC, NULL};
    pid_t pid = start(argv, 0);
    if (pid < 0) return;
    int status = wait_for(pid);
    if (status != 0) fprintf(stderr, "init: %s ended with status 0x%x\n", RC, status);
}

int main(void) {
    /* A ^C on the console is for the shell's foreground job, never for init. */
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    /* Shutdown requests: without SA_RESTART, so that they interrupt the wait for the shell. */
    struct sigaction stop = {0};
    stop.sa_handler = on_stop;
    sigemptyset(&stop.sa_mask);
    stop.sa_flags = 0;
    sigaction(SIGUSR1, &stop, NULL);
    sigaction(SIGUSR2, &stop, NULL);
    sigaction(SIGTERM, &stop, NULL);
    /* proc starts init beside fs, which registers its name once it has mounted the root: wait
     * for it (ten seconds at most) rather than count the shell's absence as failed starts. A
     * root without the shell (or an fs that did not come) still gets a few tries of access. */
    (void)wait_for_server("fs", 10000000);
    for (int i = 0; i < 20 && access(SHELL, X_OK) != 0; ++i)
        usleep(50000);
    run_rc();
    int quick = 0;
    for (;;) {
        char* argv[] = {"-sh", "-i", NULL}; /* a leading '-': a login shell (reads /etc/profile) */
        time_t started = time(NULL);
        pid_t shell = start(argv, 1);
        if (shell >= 0) (void)wait_for(shell);
        quick = time(NULL) - started < kQuickSeconds ? quick + 1 : 0;
        if (stop_signal != 0) shut_down();
        if (quick >= kQuickExits) {
            say("the shell keeps ending at once; waiting before the next", NULL);
            sleep(kBackoffSeconds);
            quick = 0;
        }
    }
}
