/*
 * Hello world through newlib: stdio and the heap (sbrk), as a process proc starts.
 *
 *   hello [NAME]
 *
 * Prints "hello, world" (or "hello, NAME") to the console, takes and gives back heap blocks of a
 * few sizes (each written and read back), prints how many bytes that was, and exits with 0
 * through proc; with 1 if the heap failed. The userland-core test spawns it and checks both.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* From one byte, below malloc's smallest chunk, to 100 000, many of sbrk's 4 KiB steps. */
static const size_t kSizes[] = {1, 24, 100, 1000, 4096, 20000, 100000};
#define COUNT (sizeof kSizes / sizeof kSizes[0])

int main(int argc, char** argv) {
    const char* name = argc > 1 ? argv[1] : "world";
    printf("hello, %s\n", name);

    char* blocks[COUNT];
    size_t total = 0;
    for (size_t i = 0; i < COUNT; ++i) {
        blocks[i] = malloc(kSizes[i]);
        if (blocks[i] == NULL) {
            fprintf(stderr, "hello: out of memory for %zu bytes\n", kSizes[i]);
            return EXIT_FAILURE;
        }
        memset(blocks[i], (int)('a' + i), kSizes[i]);
        total += kSizes[i];
    }
    for (size_t i = 0; i < COUNT; ++i) {
        for (size_t j = 0; j < kSizes[i]; ++j) {
            if (blocks[i][j] != (char)('a' + i)) {
                fprintf(stderr, "hello: block %zu changed at byte %zu\n", i, j);
                return EXIT_FAILURE;
            }
        }
    }
    /* Free in a different order than allocated, then allocate again: the freed memory is
     * reused. */
    for (size_t i = 0; i < COUNT; i += 2) free(blocks[i]);
    for (size_t i = 1; i < COUNT; i += 2) free(blocks[i]);
    char* again = malloc(50000);
    if (again == NULL) {
        fprintf(stderr, "hello: out of memory after free\n");
        return EXIT_FAILURE;
    }
    free(again);

    printf("hello: %zu bytes in %u blocks from the heap, freed (%d)\n", total, (unsigned)COUNT,
           42);
    return EXIT_SUCCESS;
}
