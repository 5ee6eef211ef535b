// Threads of the caller's own space, on caller-provided stacks.
#include "rt/rt.h"

#include "interfaces/process/protocol.h"
#include "lib/ipc/kernel.h"

namespace {

// Where every thread started by rt_thread_run begins: its stack is laid out as if
// thread_entry(fn, arg) had just been called, so this is an ordinary function.
[[noreturn]] void thread_entry(void (*fn)(void*), void* arg) {
    fn(arg);
    rt_park();
}

// The stack as if thread_entry(fn, arg) had just been called; returns the initial esp.
uint32_t prepare_stack(void (*fn)(void*), void* arg, void* stack_top) {
    // i386 System V: at a function's first instruction, esp + 4 is 16-byte aligned.
    uintptr_t top = reinterpret_cast<uintptr_t>(stack_top) & ~uintptr_t{15};
    auto* frame = reinterpret_cast<uint32_t*>(top - 20);
    frame[0] = 0; // return address: thread_entry never returns
    frame[1] = reinterpret_cast<uintptr_t>(fn);
    frame[2] = reinterpret_cast<uintptr_t>(arg);
    return reinterpret_cast<uintptr_t>(frame);
}

constexpr uint32_t kProcCallTimeoutUs = 2000000;

} // namespace

extern "C" {

uint32_t rt_thread_create(axo_thread_id_t id, uint32_t utcb_address,
                          axo_thread_id_t exception_handler) {
    axo_thread_id_t self = rt_my_id();
    // space = self: the new thread shares our space; we schedule it; no pager: the caller's memory
    // is all mapped already.
    return axo_thread_control(id, self, self, AXO_NIL_THREAD, utcb_address, exception_handler);
}

uint32_t rt_thread_run(axo_thread_id_t id, void (*fn)(void*), void* arg, void* stack_top) {
    axo_exreg_t regs = {};
    regs.control = AXO_EXREG_SET_SP | AXO_EXREG_SET_IP | AXO_EXREG_RESUME;
    regs.sp = prepare_stack(fn, arg, stack_top);
    regs.ip = reinterpret_cast<uintptr_t>(&thread_entry);
    return axo_exchange_registers(id, &regs);
}

uint32_t rt_thread_start(axo_thread_id_t id, void (*fn)(void*), void* arg, void* stack_top,
                         uint32_t utcb_address, axo_thread_id_t exception_handler) {
    uint32_t error = rt_thread_create(id, utcb_address, exception_handler);
    if (error != AXO_OK) return error;
    return rt_thread_run(id, fn, arg, stack_top);
}

uint32_t rt_process_thread_start(void (*fn)(void*), void* arg, void* stack_top,
                                 axo_thread_id_t* id) {
    proc::ThreadCreateRequest request{reinterpret_cast<uintptr_t>(&thread_entry),
                                      prepare_stack(fn, arg, stack_top)};
    proc::ThreadCreateReply reply{};
    ipc::Error error =
        ipc::call(rt_kip()->root_task, request, reply, axo_timeout_us(kProcCallTimeoutUs));
    if (error == ipc::Error::ok && id != nullptr) *id = reply.thread;
    return static_cast<uint32_t>(error);
}

uint32_t rt_thread_delete(axo_thread_id_t id) {
    return axo_thread_control(id, AXO_NIL_THREAD, AXO_NIL_THREAD, AXO_NIL_THREAD, 0,
                              AXO_NIL_THREAD);
}

} // extern "C"
