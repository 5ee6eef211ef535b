// What the small programs of this test share (they are built with axo_freestanding_program,
// lib/rt): their arguments, which proc put at the top of their stack (lib/loader/layout.h),
// and the calls to proc (interfaces/process/client.h) over the kernel transport.
#pragma once

#include "rt/rt.h"

#include "interfaces/mm/protocol.h"
#include "interfaces/process/client.h"
#include "lib/ipc/kernel.h"
#include "lib/loader/layout.h"

namespace program {

inline loader::StartArguments arguments() {
    return loader::start_arguments(rt_entry_state.esp);
}

inline axo_thread_id_t proc_thread() {
    return rt_kip()->root_task;
}

// The process's pager: mm when proc runs one (servers/proc/paging.h), else proc itself.
inline axo_thread_id_t pager_thread() {
    return axo_my_utcb()->pager;
}
inline bool paged_by_mm() {
    return pager_thread() != proc_thread() && pager_thread() != AXO_NIL_THREAD;
}

// mm's counters, about this process (client nil) and mm as a whole; zeros if mm would not say.
inline mm::StatisticsReply mm_statistics(axo_thread_id_t client = AXO_NIL_THREAD) {
    mm::StatisticsReply reply{};
    if (!paged_by_mm()) return reply;
    if (ipc::call(pager_thread(), mm::StatisticsRequest{client}, reply, axo_timeout_us(2000000)) !=
        ipc::Error::ok)
        reply = mm::StatisticsReply{};
    return reply;
}

// Ends the process through proc. If proc refuses, says so and stops running.
[[noreturn]] inline void exit(int32_t status) {
    ipc::KernelTransport transport;
    ipc::Error error = proc::client::exit(transport, proc_thread(), status);
    rt_printf("%s: exit(%d) returned: %s\n", arguments().argv[0], status, ipc::error_name(error));
    rt_park();
}

// A decimal number with an optional '-'; false if `text` is none.
inline bool parse_int(const char* text, int32_t& out) {
    bool negative = *text == '-';
    if (negative) ++text;
    if (*text == '\0') return false;
    int64_t value = 0;
    for (; *text != '\0'; ++text) {
        if (*text < '0' || *text > '9') return false;
        value = value * 10 + (*text - '0');
        if (value > 0x7FFFFFFF) return false;
    }
    out = static_cast<int32_t>(negative ? -value : value);
    return true;
}

} // namespace program
