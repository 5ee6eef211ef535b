// crash MODE: faults in one of several ways, each of which must end it with kExitFaulted and
// the vector named (the driver checks it):
//   divide   idiv by zero                          0  #DE
//   gp       cli at IOPL 0                          13 #GP
//   text     a write to its own (read-only) code    14 #PF, refused: read-only page
//   jump     a jump to an address nothing covers   14 #PF, refused: outside the image
//   kernel   a read of 0xC0000000 (kernel space)    14 #PF, refused: not a user page
//   stack    recursion past its 64 KiB stack        14 #PF, refused: below the stack
//   forged   sends its exception handler (proc) a message of the kernel's exception shape
//            with vector 0x8000000B, which no CPU raises: proc drops it, so the call times
//            out and it exits 0 (3 if proc answered it)
// An unknown mode exits with status 2.
#include "program.h"

namespace {

bool is(const char* a, const char* b) {
    return strcmp(a, b) == 0;
}

// Never reached; volatile, so the compiler cannot tell that the recursion does not end.
volatile uint32_t g_depth_limit = 0xFFFFFFFFu;

// Each frame holds 1 KiB and uses it after the call, so the recursion is neither a loop nor
// a tail call after optimisation.
__attribute__((noinline)) uint32_t descend(uint32_t depth) {
    volatile uint8_t frame[1024];
    frame[0] = static_cast<uint8_t>(depth);
    if (depth == g_depth_limit) return 0;
    return descend(depth + 1) + frame[0];
}

} // namespace

int main() {
    loader::StartArguments args = program::arguments();
    const char* mode = args.argc > 1 ? args.argv[1] : "";
    if (is(mode, "divide")) {
        asm volatile("xorl %%ecx, %%ecx\n\tmovl $1, %%eax\n\tcltd\n\tidivl %%ecx" ::
                         : "eax", "ecx", "edx");
    } else if (is(mode, "gp")) {
        asm volatile("cli");
    } else if (is(mode, "text")) {
        asm volatile("movl $main, %%eax\n\tmovl $0, (%%eax)" ::: "eax", "memory");
    } else if (is(mode, "jump")) {
        asm volatile("jmp *%0" ::"r"(0x50000000u));
    } else if (is(mode, "kernel")) {
        asm volatile("movl 0xC0000000, %%eax" ::: "eax");
    } else if (is(mode, "stack")) {
        program::exit(static_cast<int32_t>(descend(0)));
    } else if (is(mode, "forged")) {
        axo_utcb_t* utcb = axo_my_utcb();
        utcb->mr[0] = axo_msg_tag(AXO_LABEL_EXCEPTION, AXO_EXC_WORDS, 0);
        for (uint32_t i = 1; i <= AXO_EXC_WORDS; ++i)
            utcb->mr[i] = 0;
        utcb->mr[AXO_EXC_VECTOR] = 0x8000000Bu;
        axo_msg_tag_t tag = axo_ipc_call(
            utcb->exception_handler, axo_timeouts(axo_timeout_us(1000000), axo_timeout_us(200000)));
        program::exit(axo_tag_failed(tag) ? 0 : 3);
    } else {
        program::exit(2);
    }
    program::exit(1); // the fault did not happen
}
