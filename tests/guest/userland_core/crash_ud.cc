// crash_ud: executes ud2, an invalid opcode: the kernel sends proc an exception message with
// vector 6, and proc ends the process (kExitFaulted, status 6).
#include "program.h"

int main() {
    asm volatile("ud2");
    program::exit(0); // not reached
}
