/* axo_boot_probe (../README.md, boot.to_shell): prints the time-stamp counter and exits. Under
 * `-icount shift=0,sleep=off` that is the number of guest instructions since reset (plus the
 * virtual time the system spent idle, which that mode skips at once). bench.py runs it twice
 * from the end of /etc/profile of a copy of the root file system: the first value is the boot
 * up to the login shell's first prompt, this probe's start included; the difference of the two
 * is what one probe costs. */
#include <stdint.h>
#include <stdio.h>

int main(void) {
    uint32_t lo;
    uint32_t hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    printf("BOOT-PROBE %llu\n", ((unsigned long long)hi << 32) | lo);
    return 0;
}
