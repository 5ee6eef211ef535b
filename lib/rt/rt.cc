// Start-up, parking and formatted output of axo_rt.
#include "rt/rt.h"

#include "kernel/lib/format.h"

int main();

namespace {

// Output goes out one debug_write per buffer-full: large enough for any TAP line, small
// enough for the stack of a test thread.
constexpr size_t kChunk = 256;

struct DebugSink {
    char buffer[kChunk];
    size_t used = 0;
    size_t total = 0;

    void flush() {
        if (used > 0) axo_debug_write(buffer, used);
        used = 0;
    }
    static void put(void* ctx, const char* s, size_t n) {
        auto* sink = static_cast<DebugSink*>(ctx);
        sink->total += n;
        while (n > 0) {
            if (sink->used == kChunk) sink->flush();
            size_t room = kChunk - sink->used;
            size_t k = n < room ? n : room;
            memcpy(sink->buffer + sink->used, s, k);
            sink->used += k;
            s += k;
            n -= k;
        }
    }
};

using InitFn = void (*)();

} // namespace

extern "C" {

// Where a large space has it until rt_start asks (a program that reads it before rt_start: none).
const axo_kip_t* rt_kip_address = reinterpret_cast<const axo_kip_t*>(uintptr_t{AXO_KIP_ADDRESS});

// From lib/rt/program.ld.
extern InitFn __init_array_start[];
extern InitFn __init_array_end[];

// Called by crt0 with .bss cleared and an aligned stack.
[[noreturn]] void rt_start() {
    rt_kip_address = axo_kernel_interface();
    for (InitFn* fn = __init_array_start; fn != __init_array_end; ++fn)
        (*fn)();
    main();
    rt_park();
}

void rt_park() {
    axo_thread_id_t self = rt_my_id();
    for (;;) {
        // Nobody can send as us, so this never completes (L4's sleep idiom) ...
        axo_ipc_receive(self, AXO_TIMEOUT_NEVER);
        // ... unless the kernel rejects a receive from oneself: then still block, not spin.
        axo_ipc_receive(AXO_ANY_THREAD, AXO_TIMEOUT_NEVER);
    }
}

size_t rt_vprintf(const char* fmt, va_list args) {
    DebugSink sink;
    axo::vprint_to(&DebugSink::put, &sink, fmt, args);
    sink.flush();
    return sink.total;
}

size_t rt_printf(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    size_t n = rt_vprintf(fmt, args);
    va_end(args);
    return n;
}

size_t rt_vsnprintf(char* buf, size_t size, const char* fmt, va_list args) {
    return axo::vformat(buf, size, fmt, args);
}

size_t rt_snprintf(char* buf, size_t size, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    size_t n = axo::vformat(buf, size, fmt, args);
    va_end(args);
    return n;
}

} // extern "C"
