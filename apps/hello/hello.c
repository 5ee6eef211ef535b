/* Hello world through newlib: stdio formatting and the heap (sbrk) in one program. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv) {
    const char* name = argc > 1 ? argv[1] : "Axolotl";
    size_t size = strlen("hello, ") + strlen(name) + 1;
    char* greeting = malloc(size);
    if (greeting == NULL) {
        fprintf(stderr, "hello: out of %zu bytes of memory\n", size);
        return EXIT_FAILURE;
    }
    snprintf(greeting, size, "hello, %s", name);
    printf("%s (%zu bytes at %p on the heap)\n", greeting, size, (void*)greeting);
    free(greeting);
    return EXIT_SUCCESS;
}
