// The alternate signal stack (libposix/README.md, "Signal delivery"): sigaltstack() and where an
// SA_ONSTACK handler runs. The stack is the process's, kept here (one thread receives signals);
// run_handler (signals.cc) calls an SA_ONSTACK handler through axo_signal_call_on_stack with the
// stack pointer at its top, unless the thread is on it already. "On it" is where the stack
// pointer is, not a flag: a handler that leaves by siglongjmp leaves the stack too.
#include <errno.h>
#include <signal.h>
#include <stdint.h>

#include "libposix/posix.h"

namespace posix {
namespace {

uint32_t g_base; // the lowest address of the stack; 0: none (SS_DISABLE)
uint32_t g_size;

uint32_t stack_pointer() {
    uint32_t sp;
    asm volatile("movl %%esp, %0" : "=r"(sp));
    return sp;
}

bool on_alternate_stack() {
    uint32_t sp = stack_pointer();
    return g_base != 0 && sp - g_base < g_size;
}

} // namespace

uint32_t alternate_stack_top() {
    if (g_base == 0 || on_alternate_stack()) return 0;
    return g_base + g_size;
}

} // namespace posix

using posix::fail_errno;

extern "C" int sigaltstack(const stack_t* stack, stack_t* old) {
    bool on = posix::on_alternate_stack();
    if (old != nullptr) {
        old->ss_sp = reinterpret_cast<void*>(posix::g_base);
        old->ss_size = posix::g_size;
        old->ss_flags = posix::g_base == 0 ? SS_DISABLE : (on ? SS_ONSTACK : 0);
    }
    if (stack == nullptr) return 0;
    // POSIX: ss_flags is 0 or SS_DISABLE; a stack is not changed while a handler runs on it.
    if (stack->ss_flags != 0 && stack->ss_flags != SS_DISABLE) return fail_errno(EINVAL);
    if (on) return fail_errno(EPERM);
    if (stack->ss_flags == SS_DISABLE) {
        posix::g_base = 0;
        posix::g_size = 0;
        return 0;
    }
    if (stack->ss_size < MINSIGSTKSZ) return fail_errno(ENOMEM);
    uint32_t base = reinterpret_cast<uint32_t>(stack->ss_sp);
    if (base == 0 || base + stack->ss_size < base) return fail_errno(EINVAL);
    posix::g_base = base;
    posix::g_size = stack->ss_size;
    return 0;
}
