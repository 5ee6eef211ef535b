// crash_null: writes through a null pointer. Page 0 is never part of a process (kernel/elf.h
// refuses segments below 4 KiB), so proc refuses the fault and ends the process: reason
// kExitFaulted, status 14 (the page-fault vector).
#include "program.h"

int main() {
    // In assembler: gcc turns a null dereference it can see into ud2 (a #UD, not a #PF).
    asm volatile("movl $0, %%eax\n\tmovl $1, (%%eax)" ::: "eax", "memory");
    program::exit(0); // not reached
}
