// What the programs of the drivers test share: sleeping, looking a name up until it is
// there, and the serial driver's client (interfaces/serial/client.h).
#pragma once

#include "rt/rt.h"

#include "interfaces/process/client.h"
#include "interfaces/serial/client.h"
#include "lib/driver/driver.h"
#include "lib/ipc/kernel.h"
#include "lib/names/names.h"

namespace test {

// Calls to proc from the test programs: one transport, proc's thread (the root task), a
// bounded call, the error's name for a TAP line, spawn and wait.
inline ipc::KernelTransport g_transport;
constexpr uint32_t kCallTimeoutUs = 5000000;

inline axo_thread_id_t proc_thread() {
    return rt_kip()->root_task;
}
inline axo_timeout_t call_timeout() {
    return axo_timeout_us(kCallTimeoutUs);
}
inline const char* text(ipc::Error error) {
    return ipc::error_name(error);
}
inline ipc::Error spawn(const char* image, const char* arguments, proc::SpawnReply& child) {
    child = {};
    return proc::client::spawn(g_transport, proc_thread(), image, arguments, child, call_timeout());
}
inline ipc::Error wait_for(proc::ProcessId pid, proc::WaitReply& ended, uint32_t seconds) {
    ended = {};
    return proc::client::wait(g_transport, proc_thread(), pid, 0, ended,
                              axo_timeout_us(seconds * 1000000));
}

inline void sleep_ms(uint32_t ms) {
    // σ0 never sends to us: only the timeout ends this receive.
    axo_ipc_receive(rt_kip()->sigma0, axo_timeout_us(ms * 1000));
}

// Looks `name` up until it resolves to a thread other than `not_this` (a dead predecessor),
// for at most `ms` milliseconds; AXO_NIL_THREAD if it never did.
inline axo_thread_id_t await_name(const char* name, uint32_t ms,
                                  axo_thread_id_t not_this = AXO_NIL_THREAD) {
    uint64_t end = rt_clock_us() + uint64_t{ms} * 1000;
    for (;;) {
        axo_thread_id_t server = AXO_NIL_THREAD;
        if (names::lookup(name, server) == ipc::Error::ok && server != not_this) return server;
        if (rt_clock_us() >= end) return AXO_NIL_THREAD;
        sleep_ms(5);
    }
}

// The pattern the guest sends to the host after the echo (tests/system/serial_peer.py).
inline uint8_t pattern_byte(uint32_t i) {
    return static_cast<uint8_t>((i * 7u + (i >> 8) + 0x31u) & 0xFFu);
}
// The echo's transformation (serial_peer.py undoes nothing: it compares).
constexpr uint8_t kEchoXor = 0xA5;
constexpr char kReadyMarker[] = "AXO-SERIAL-READY\n";

} // namespace test
