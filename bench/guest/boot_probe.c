/* axo_boot_probe (../README.md, boot.to_shell): prints the time-stamp counter and the kernel's
 * idle cycles (the KIP's count of the time the CPU spent halted in the idle loop), and exits.
 * Under `-icount shift=0,sleep=off` the counter is the number of guest instructions since reset
 * plus the virtual time the system spent idle, which that mode skips at once; the idle cycles
 * are that skipped time, so their difference is the instructions executed. bench.py runs it
 * twice from the end of /etc/profile of a copy of the root file system: the first line is the
 * boot up to the login shell's first prompt, this probe's start included; the difference of
 * the two is what one probe costs. */
#include <stdint.h>
#include <stdio.h>

#include "axolotl/syscalls.h"

int main(void) {
    uint32_t lo;
    uint32_t hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    unsigned long long idle = axo_kip_idle_cycles(axo_kernel_interface());
    printf("BOOT-PROBE %llu %llu\n", ((unsigned long long)hi << 32) | lo, idle);
    return 0;
}
