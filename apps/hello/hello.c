/*
 * Hello world through newlib: stdio and the heap (sbrk), as a process proc starts.
 *
 *   hello [NAME]
 *   hello --exhaust
 *
 * Prints "hello, world" (or "hello, NAME") to the console, takes and gives back heap blocks of a
 * few sizes (each written and read back), prints how many bytes that was, and exits with 0
 * through proc; with 1 if the heap failed. The userland-core test spawns it and checks both.
 *
 * --exhaust: takes 256 KiB blocks (touching each) until malloc fails, which it must with ENOMEM
 * (mm's quota, or the arena's end), gives them back and takes 100 KiB again: the process runs
 * on. Prints what it got; exits 0, or 2 if malloc never failed, 3 if errno was not ENOMEM,
 * 4 if malloc failed after the blocks were freed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* From one byte, below malloc's smallest chunk, to 100 000, many of sbrk's 4 KiB steps. */
static const size_t kSizes[] = {1, 24, 100, 1000, 4096, 20000, 100000};
#define COUNT (sizeof kSizes / sizeof kSizes[0])

/* libposix: 1 when sbrk is mm's break, 2 for the arena. */
int axo_heap_mode(void);

static int exhaust(void) {
    /* More than proc's 64 MiB quota (servers/proc/paging.h) can hold. */
    enum { kBlock = 256 * 1024, kMaxBlocks = 512 };
    char* blocks[kMaxBlocks];
    int count = 0, error = 0;
    while (count < kMaxBlocks) {
        errno = 0;
        char* block = malloc(kBlock);
        if (block == NULL) {
            error = errno;
            break;
        }
        block[0] = 1;
        block[kBlock - 1] = 1;
        blocks[count++] = block;
    }
    printf("hello: the heap (%s) gave %d KiB, then %s\n", axo_heap_mode() == 1 ? "mm" : "arena",
           count * 256,
           count == kMaxBlocks ? "no failure"
           : error == ENOMEM   ? "ENOMEM"
                               : "?");
    for (int i = 0; i < count; ++i)
        free(blocks[i]);
    if (count == kMaxBlocks) return 2;
    if (error != ENOMEM) return 3;
    char* again = malloc(100000);
    if (again == NULL) return 4;
    again[99999] = 1;
    free(again);
    return 0;
}

int main(int argc, char** argv) {
    if (argc > 1 && strcmp(argv[1], "--exhaust") == 0) return exhaust();
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
    for (size_t i = 0; i < COUNT; i += 2)
        free(blocks[i]);
    for (size_t i = 1; i < COUNT; i += 2)
        free(blocks[i]);
    char* again = malloc(50000);
    if (again == NULL) {
        fprintf(stderr, "hello: out of memory after free\n");
        return EXIT_FAILURE;
    }
    free(again);

    printf("hello: %zu bytes in %u blocks from the heap, freed (%d)\n", total, (unsigned)COUNT, 42);
    return EXIT_SUCCESS;
}
