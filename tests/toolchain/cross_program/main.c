/* Built outside the project's CMake with the cross toolchain (axo-cc and friends), booted by
 * tests/toolchain/run_cross_program.sh: prints TAP on the console and exits 0 if all passed. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int greet(char* out, int size, const char* who);

static int tests, failures;
static void ok(int condition, const char* what) {
    ++tests;
    failures += !condition;
    printf("%sok %d - %s\n", condition ? "" : "not ", tests, what);
}

static volatile sig_atomic_t got;
static void on_usr1(int signal) {
    got = signal;
}

int main(int argc, char** argv) {
    printf("TAP version 13\n");
    char text[32];
    greet(text, sizeof text, "cross");
    ok(strcmp(text, "hello, cross") == 0, "a function from a library made by axo-ar");
    ok(argc >= 1 && strcmp(argv[0], "cross_hello") == 0, "argv[0]");
    ok(getpid() > 0, "getpid");
    char* block = malloc(1 << 16);
    ok(block != NULL, "malloc");
    free(block);
    pid_t child = fork();
    if (child == 0) _exit(12);
    int status = 0;
    ok(waitpid(child, &status, 0) == child && WEXITSTATUS(status) == 12, "fork and waitpid");
    signal(SIGUSR1, on_usr1);
    raise(SIGUSR1);
    ok(got == SIGUSR1, "a signal handler");
    printf("1..%d\nAXOLOTL: END OF TESTS\n", tests);
    return failures == 0 ? 0 : 1;
}
