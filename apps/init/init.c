/* init (README.md): runs /etc/rc with /bin/sh if it is there, then a login shell on each
 * terminal — the console (its own 0, 1 and 2: the serial line) and /dev/tty1 (the VGA screen and
 * keyboard) when the system has it — each started again whenever it ends; every child that ends
 * is reaped by the one waitpid(-1) loop. SIGUSR2 (busybox's poweroff), SIGUSR1 (halt) and SIGTERM
 * (reboot) shut the system down: every other process gets SIGTERM, then SIGKILL, and reboot() makes
 * fs write everything and mark its disk clean before proc stops the machine. */
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

/* Makes `path` the caller's 0, 1 and 2; false (and says why) if it cannot be opened. */
static int open_terminal(const char* path) {
    int fd = open(path, O_RDWR);
    if (fd < 0) {
        say(path, strerror(errno));
        return 0;
    }
    for (int standard = 0; standard < 3; ++standard)
        if (fd != standard) (void)dup2(fd, standard);
    if (fd > 2) close(fd);
    return 1;
}

/* Forks a child that runs SHELL with `argv`; its pid, or -1. `terminal`: the device file the
 * child opens as its 0, 1 and 2 (NULL: init's own, the console). */
static pid_t start(char* const argv[], int new_session, const char* terminal) {
    pid_t pid = fork();
    if (pid < 0) {
        say("fork failed", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        if (new_session) {
            /* The terminal becomes the new session's controlling terminal with the shell's group
             * in the foreground, as login_tty does: a job-control shell (dash -i) waits with
             * SIGTTIN until its group is the terminal's foreground group. */
            (void)setsid();
            if (terminal != NULL && !open_terminal(terminal)) _exit(127);
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
 * signal ends the wait there (the handler interrupts waitpid). Only for /etc/rc, before any
 * shell runs. */
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
    pid_t pid = start(argv, 0, NULL);
    if (pid < 0) return;
    int status = wait_for(pid);
    if (status != 0) fprintf(stderr, "init: %s ended with status 0x%x\n", RC, status);
}

/* A terminal init keeps a login shell on. */
struct terminal {
    const char* path; /* NULL: the console, init's own 0, 1 and 2 */
    pid_t shell;      /* 0: none running */
    time_t started;
    int quick;         /* shells in a row that ended within kQuickSeconds */
    time_t not_before; /* the back-off: no start before then */
    int absent;        /* the system has no such terminal: no shell there */
};

static struct terminal terminals[] = {
    {NULL, 0, 0, 0, 0, 0},
    {"/dev/tty1", 0, 0, 0, 0, 0},
};
enum { kTerminalCount = sizeof terminals / sizeof terminals[0] };

/* Whether the system has the terminal: the console always; another if its device file opens
 * (libposix says ENXIO when no server serves it: a system without the VGA console). */
static int present(const struct terminal* t) {
    if (t->path == NULL) return 1;
    int fd = open(t->path, O_RDWR);
    if (fd < 0) return 0;
    close(fd);
    return 1;
}

static void start_shell(struct terminal* t) {
    char* argv[] = {"-sh", "-i", NULL}; /* a leading '-': a login shell (reads /etc/profile) */
    t->started = time(NULL);
    t->shell = start(argv, 1, t->path);
    if (t->shell < 0) t->shell = 0;
}

/* `t`'s shell ended: counted as quick or not; after kQuickExits quick ones in a row the next
 * start waits kBackoffSeconds, so that a missing or broken /bin/sh does not make init spin. */
static void shell_ended(struct terminal* t) {
    time_t now = time(NULL);
    t->shell = 0;
    t->quick = now - t->started < kQuickSeconds ? t->quick + 1 : 0;
    if (t->quick >= kQuickExits) {
        say("the shell keeps ending at once; waiting before the next", t->path);
        t->not_before = now + kBackoffSeconds;
        t->quick = 0;
    }
}

/* Keeps a shell on every terminal: starts those due, then reaps children until one of the shells
 * ends (or, while one waits out its back-off, for a second at most). */
static void keep_shells(void) {
    for (;;) {
        if (stop_signal != 0) shut_down();
        int waiting = 0;
        for (int i = 0; i < kTerminalCount; ++i) {
            struct terminal* t = &terminals[i];
            if (t->shell != 0 || t->absent) continue;
            if (time(NULL) < t->not_before) {
                waiting = 1;
                continue;
            }
            start_shell(t);
            if (t->shell == 0) {
                t->not_before = time(NULL) + kBackoffSeconds;
                waiting = 1;
            }
        }
        if (waiting) alarm(1); /* waitpid returns with EINTR then (SIGALRM's handler) */
        int status = 0;
        pid_t ended = waitpid(-1, &status, 0);
        if (waiting) alarm(0);
        if (ended < 0 && errno != EINTR && !waiting) sleep(1); /* no children at all */
        for (int i = 0; i < kTerminalCount; ++i)
            if (ended > 0 && terminals[i].shell == ended) shell_ended(&terminals[i]);
    }
}

static void on_alarm(int signal) {
    (void)signal;
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
    struct sigaction tick = {0};
    tick.sa_handler = on_alarm;
    sigemptyset(&tick.sa_mask);
    sigaction(SIGALRM, &tick, NULL);
    /* proc starts init beside fs, which registers its name once it has mounted the root: wait
     * for it (ten seconds at most) rather than count the shell's absence as failed starts. A
     * root without the shell (or an fs that did not come) still gets a few tries of access. */
    (void)wait_for_server("fs", 10000000);
    for (int i = 0; i < 20 && access(SHELL, X_OK) != 0; ++i)
        usleep(50000);
    run_rc();
    /* Terminals the system does not have get no shell (and no attempts every few seconds). */
    for (int i = 0; i < kTerminalCount; ++i)
        terminals[i].absent = !present(&terminals[i]);
    keep_shells();
}
