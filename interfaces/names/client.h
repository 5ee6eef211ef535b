// The name-service client (interfaces/names/protocol.h), over any ipc transport, so that its
// logic — above all the re-lookup-and-retry of Binding — is tested on the host
// (tests/unit/names_client_test.cc). Programs use lib/names/names.h, which binds it to the
// kernel and to proc's id from the KIP.
#pragma once

#include <stdint.h>

#include "interfaces/names/protocol.h"
#include "lib/ipc/client.h"

namespace names {

// Binds `name` to `server` (nil: the calling thread) at the name service `proc`.
template <ipc::Transport T>
ipc::Error register_name(T& transport, axo_thread_id_t proc, const char* name,
                         axo_thread_id_t server = AXO_NIL_THREAD) {
    proc::NameRegisterRequest request{};
    if (!request.name.set(name)) return ipc::Error::invalid_argument;
    request.server = server;
    ipc::Empty reply;
    return ipc::call(transport, proc, request, reply);
}

template <ipc::Transport T>
ipc::Error lookup(T& transport, axo_thread_id_t proc, const char* name, axo_thread_id_t& server) {
    proc::NameLookupRequest request{};
    if (!request.name.set(name)) return ipc::Error::invalid_argument;
    proc::NameLookupReply reply{};
    ipc::Error error = ipc::call(transport, proc, request, reply);
    if (error == ipc::Error::ok) server = reply.server;
    return error;
}

// The server of `name`, waiting until one registers it (kNameWait), at most `timeout`
// (then the call's timeout error).
template <ipc::Transport T>
ipc::Error wait_for(T& transport, axo_thread_id_t proc, const char* name, axo_thread_id_t& server,
                    axo_timeout_t timeout) {
    proc::NameWaitRequest request{};
    if (!request.name.set(name)) return ipc::Error::invalid_argument;
    proc::NameLookupReply reply{};
    ipc::Error error = ipc::call(transport, proc, request, reply, timeout);
    if (error == ipc::Error::ok) server = reply.server;
    return error;
}

template <ipc::Transport T>
ipc::Error unregister_name(T& transport, axo_thread_id_t proc, const char* name) {
    proc::NameUnregisterRequest request{};
    if (!request.name.set(name)) return ipc::Error::invalid_argument;
    ipc::Empty reply;
    return ipc::call(transport, proc, request, reply);
}

// A client's handle on a named server (DESIGN.md §5): it looks the name up when it first
// needs the server and again whenever the server it knew is gone, so a restarted server is
// found again without the caller noticing.
//
//   call_idempotent  retries after Error::server_gone, with a fresh lookup each time, up to
//                    kAttempts calls. Only for requests that may safely run twice: a server
//                    that died after carrying out the request but before replying looks
//                    exactly like one that died before.
//   call_once        never retries, but still forgets a gone server, so the next call looks
//                    the name up again.
//
// Not thread-safe: one Binding per thread (its transport is the thread's registers).
template <ipc::Transport T> class Binding {
public:
    static constexpr uint32_t kAttempts = 3;

    // `name` must outlive the binding.
    Binding(T& transport, axo_thread_id_t proc, const char* name)
        : m_transport(transport), m_proc(proc), m_name(name) {}

    template <ipc::Request Req>
    ipc::Error call_idempotent(const Req& request, typename Req::Reply& reply,
                               axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
        ipc::Error error = ipc::Error::server_gone;
        for (uint32_t attempt = 0; attempt < kAttempts; ++attempt) {
            error = call_once(request, reply, timeout);
            if (error != ipc::Error::server_gone) return error;
        }
        return error;
    }

    template <ipc::Request Req>
    ipc::Error call_once(const Req& request, typename Req::Reply& reply,
                         axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
        return with_server([&](axo_thread_id_t server) {
            return ipc::call(m_transport, server, request, reply, timeout);
        });
    }

    // The one step under every call: looks the name up if no server is known, runs
    // `call(server)` once, and forgets the server if it answered server_gone. For calls of
    // another shape (lib/names/session.h's attach with its map item).
    template <class Call> ipc::Error with_server(Call&& call) {
        if (m_server == AXO_NIL_THREAD) {
            axo_thread_id_t found = AXO_NIL_THREAD;
            if (ipc::Error error = lookup(m_transport, m_proc, m_name, found);
                error != ipc::Error::ok)
                return error; // no_such_name while a restarted server has not registered yet
            m_server = found;
            ++m_lookups;
        }
        ipc::Error error = call(m_server);
        if (error == ipc::Error::server_gone) m_server = AXO_NIL_THREAD;
        return error;
    }

    T& transport() { return m_transport; }

    // The server last found (nil before the first call and after it was found gone).
    axo_thread_id_t server() const { return m_server; }
    // How many lookups this binding made: tests see the retry happen.
    uint32_t lookups() const { return m_lookups; }
    // Forces a fresh lookup on the next call (e.g. after an error the caller blames on a
    // stale server).
    void forget() { m_server = AXO_NIL_THREAD; }

private:
    T& m_transport;
    axo_thread_id_t m_proc;
    const char* m_name;
    axo_thread_id_t m_server = AXO_NIL_THREAD;
    uint32_t m_lookups = 0;
};

} // namespace names
