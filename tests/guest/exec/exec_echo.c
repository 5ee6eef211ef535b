/* The program the exec test (exec_test.cc, README.md) runs from the ext2 root as /bin/exec_echo.
 * What it does depends on argv[1]:
 *   args W...   prints argc, argv and EXEC_TEST from its environment; exits 42 if they are
 *               exactly "exec_echo args one two words" and EXEC_TEST=hello, else 1
 *   -x S A B    as the interpreter of the script S ("#!/bin/exec_echo -x"): exits 43 if argv is
 *               exactly /bin/exec_echo -x S A B with S = /tmp/script, else 1
 *   search      exits 44 (found through PATH by execvp)
 *   mask        sends itself SIGUSR2 and exits 45: only if the signal is blocked (the mask its
 *               parent had at exec), else SIGUSR2 ends it
 *   hold MS     reads all of its 64 KiB table, sends its parent SIGUSR1, then sleeps MS
 *               milliseconds; exits 0 if the table was right, else 1
 *   late MS     sleeps MS milliseconds, then reads the table (its pages arrive only now): 0 or 1
 *   fds         the descriptors its parent left it: writes "fds: inherited" to 1 (a pipe there),
 *               exits 46 if 5 (close-on-exec) is closed, 6 is open, and no environment string
 *               holds the table exec handed over, else 1
 * Anything else: exits 2. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char** environ;

#define TABLE_BYTES 65536

/* Read-only data of 16 pages, in the text segment: kept once by mm for every process. */
static const unsigned char g_table[TABLE_BYTES] = {[0 ... TABLE_BYTES - 1] = 0x5A};

static int table_right(void) {
    const volatile unsigned char* table = g_table;
    unsigned long sum = 0;
    for (int i = 0; i < TABLE_BYTES; ++i)
        sum += table[i];
    return sum == 0x5AUL * TABLE_BYTES;
}

static void sleep_ms(long ms) {
    usleep((useconds_t)(ms * 1000));
}

int main(int argc, char** argv) {
    if (argc >= 2 && strcmp(argv[1], "args") == 0) {
        printf("exec_echo: argc=%d\n", argc);
        for (int i = 0; i < argc; ++i)
            printf("exec_echo: argv[%d]=%s\n", i, argv[i]);
        const char* value = getenv("EXEC_TEST");
        printf("exec_echo: EXEC_TEST=%s\n", value != NULL ? value : "(none)");
        fflush(stdout);
        int right = argc == 4 && strcmp(argv[0], "exec_echo") == 0 && strcmp(argv[2], "one") == 0 &&
                    strcmp(argv[3], "two words") == 0 && value != NULL &&
                    strcmp(value, "hello") == 0;
        return right ? 42 : 1;
    }
    if (argc >= 2 && strcmp(argv[1], "-x") == 0) {
        int right = argc == 5 && strcmp(argv[0], "/bin/exec_echo") == 0 &&
                    strcmp(argv[2], "/tmp/script") == 0 && strcmp(argv[3], "a") == 0 &&
                    strcmp(argv[4], "b") == 0;
        return right ? 43 : 1;
    }
    if (argc >= 2 && strcmp(argv[1], "search") == 0) return 44;
    if (argc >= 2 && strcmp(argv[1], "mask") == 0) {
        /* SIGUSR2 ends a process by default; blocked (the mask survives exec) it stays
         * pending, and the program goes on. */
        kill(getpid(), SIGUSR2);
        return 45;
    }
    if (argc >= 3 && strcmp(argv[1], "hold") == 0) {
        int right = table_right();
        kill(getppid(), SIGUSR1); /* the table is in: its pages are counted now */
        sleep_ms(atol(argv[2]));
        return right ? 0 : 1;
    }
    if (argc >= 3 && strcmp(argv[1], "late") == 0) {
        sleep_ms(atol(argv[2]));
        return table_right() ? 0 : 1;
    }
    if (argc >= 2 && strcmp(argv[1], "fds") == 0) {
        static const char line[] = "fds: inherited\n";
        int wrote = write(1, line, sizeof line - 1) == (ssize_t)(sizeof line - 1);
        int closed = fcntl(5, F_GETFD) == -1 && errno == EBADF;
        int open6 = fcntl(6, F_GETFD) == 0;
        int clean = 1;
        for (char** e = environ; *e != NULL; ++e)
            if (strncmp(*e, "AXO_DESCRIPTORS=", 16) == 0) clean = 0;
        return wrote && closed && open6 && clean ? 46 : 1;
    }
    return 2;
}
