// A stand-in for the kernel's IPC on the host, for tests of the RPC framework and its users:
// servers are functions keyed by thread id, each with message registers of its own. A call
// copies exactly the tag and the u words it sends into the server's registers (the rest is
// poisoned, so reading words that were not sent shows), lets the server answer in place and
// copies the reply back the same way — what the kernel's IPC does, minus the threads.
#pragma once

#include <cstdint>
#include <functional>
#include <map>

#include "axolotl/abi.h"
#include "lib/ipc/dispatcher.h"
#include "lib/ipc/message.h"

namespace fake {

constexpr uint32_t kPoison = 0xDEADBEEFu;

inline uint32_t ipc_error_word(uint32_t code, bool receive_phase) {
    return (code << 1) | (receive_phase ? AXO_IPC_PHASE_RECEIVE : 0u);
}

class Kernel {
public:
    // Answers one request in place; no_reply leaves the caller waiting (a receive timeout).
    using Server = std::function<ipc::Outcome(axo_thread_id_t from, ipc::Message& message)>;

    void add_server(axo_thread_id_t id, Server server) { m_servers[id] = std::move(server); }
    template <class Context> void add_dispatcher(axo_thread_id_t id, ipc::Dispatcher<Context>& d) {
        add_server(id, [&d](axo_thread_id_t from, ipc::Message& m) { return d.dispatch(from, m); });
    }
    // The thread is deleted: calls to it fail with no partner from now on.
    void kill(axo_thread_id_t id) { m_servers.erase(id); }

    // One call from `from` with registers `mr`: 0, or the error word.
    uint32_t call(axo_thread_id_t from, uint32_t* mr, axo_thread_id_t to) {
        ++calls;
        auto it = m_servers.find(to);
        if (it == m_servers.end()) return ipc_error_word(AXO_IPC_NO_PARTNER, false);
        uint32_t server_mr[AXO_MR_COUNT];
        transfer(mr, server_mr);
        ipc::Message message(server_mr);
        if (it->second(from, message) == ipc::Outcome::no_reply)
            return ipc_error_word(AXO_IPC_TIMEOUT, true);
        transfer(server_mr, mr);
        return 0;
    }

    uint32_t calls = 0;

private:
    static void transfer(const uint32_t* from, uint32_t* to) {
        for (uint32_t i = 0; i < AXO_MR_COUNT; ++i)
            to[i] = kPoison;
        uint32_t count = axo_tag_untyped(from[0]) + axo_tag_typed(from[0]);
        for (uint32_t i = 0; i <= count && i < AXO_MR_COUNT; ++i)
            to[i] = from[i];
    }

    std::map<axo_thread_id_t, Server> m_servers;
};

// One client thread: its id and registers, on a fake kernel. An ipc::Transport.
class Transport {
public:
    Transport(Kernel& kernel, axo_thread_id_t self) : m_kernel(kernel), m_self(self) {
        for (uint32_t& r : m_mr)
            r = kPoison;
    }
    ipc::Message message() { return ipc::Message(m_mr); }
    // BR0: where map items of a reply may land. The fake records it; it maps nothing.
    axo_fpage_t set_receive_window(axo_fpage_t window) {
        axo_fpage_t old = m_window;
        m_window = window;
        return old;
    }
    axo_fpage_t receive_window() const { return m_window; }
    uint32_t call(axo_thread_id_t to, uint32_t timeouts) {
        last_timeouts = timeouts;
        window_in_last_call = m_window;
        if (fail_next != 0) {
            uint32_t word = fail_next;
            fail_next = 0;
            return word;
        }
        return m_kernel.call(m_self, m_mr, to);
    }

    axo_thread_id_t self() const { return m_self; }
    uint32_t* registers() { return m_mr; }
    // Makes the next call fail with this error word, without reaching the server.
    uint32_t fail_next = 0;
    uint32_t last_timeouts = 0;
    axo_fpage_t window_in_last_call = AXO_FPAGE_NIL;

private:
    axo_fpage_t m_window = AXO_FPAGE_NIL;
    Kernel& m_kernel;
    axo_thread_id_t m_self;
    uint32_t m_mr[AXO_MR_COUNT];
};

} // namespace fake
