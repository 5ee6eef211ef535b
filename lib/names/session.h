// A client's session with a named server (DESIGN.md §5, "Bulk data" and "Restarts"): the
// client side of lib/ipc/session.h. It attaches — the server maps the client's buffer into
// `window` with the reply — and keeps the attachment across server restarts: after
// server_gone it looks the name up again (names::Binding), attaches again and retries.
//
//   names::Session<ipc::KernelTransport, ata::BufferRequest> disk(transport, proc, "ata",
//                                                                   window_fpage);
//   disk.call_idempotent(ata::ReadRequest{...}, reply);        // attaches first if needed
//   disk.call_idempotent(write, reply, timeout, [&] { refill(window); });
//
// A restarted server's buffer is a new one (its old mapping died with it): a request whose
// input lives in the buffer passes `refill`, which runs after every attach the call makes,
// before the request goes out. `session_lost` (not_found for ata and e1000) is the server's answer
// to a client it holds no session for (the slot was taken back): the session attaches again and
// retries once as well. Not thread-safe: one Session per thread, like its Binding.
#pragma once

#include <stdint.h>

#include "interfaces/names/client.h"
#include "lib/ipc/client.h"

namespace names {

template <ipc::WindowTransport T, ipc::Request Attach> class Session {
public:
    using AttachReply = typename Attach::Reply;
    static constexpr uint32_t kAttempts = Binding<T>::kAttempts;

    // `name` must outlive the session; `window` is where the buffer lands (memory of the
    // client's own, so that a dead server leaves it its own pages there).
    Session(T& transport, axo_thread_id_t proc, const char* name, axo_fpage_t window,
            ipc::Error session_lost = ipc::Error::not_found, Attach attach = {})
        : m_binding(transport, proc, name), m_window(window), m_session_lost(session_lost),
          m_attach(attach) {}

    // Attaches now unless attached to the current server already.
    ipc::Error attach(axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
        if (m_attached && m_binding.server() != AXO_NIL_THREAD) return ipc::Error::ok;
        m_attached = false;
        ipc::Error error = m_binding.with_server([&](axo_thread_id_t server) {
            return ipc::call_receiving_item(m_binding.transport(), server, m_attach, m_reply,
                                            m_window, timeout);
        });
        if (error == ipc::Error::ok) {
            m_attached = true;
            ++m_attaches;
        }
        return error;
    }

    // A request that may run twice: on server_gone (or session_lost) the session attaches
    // again and the request is retried, up to kAttempts calls in all. `refill()` runs after
    // every attach this call makes (the first one too), before the request goes out.
    template <ipc::Request Req, class Refill>
    ipc::Error call_idempotent(const Req& request, typename Req::Reply& reply,
                               axo_timeout_t timeout, Refill refill) {
        ipc::Error error = ipc::Error::server_gone;
        for (uint32_t attempt = 0; attempt < kAttempts; ++attempt) {
            bool fresh = !m_attached || m_binding.server() == AXO_NIL_THREAD;
            if (error = attach(timeout); error != ipc::Error::ok) {
                if (error == ipc::Error::server_gone) continue;
                return error;
            }
            if (fresh) refill();
            error = call_once(request, reply, timeout);
            if (error != ipc::Error::server_gone && error != m_session_lost) return error;
        }
        return error;
    }
    template <ipc::Request Req>
    ipc::Error call_idempotent(const Req& request, typename Req::Reply& reply,
                               axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
        return call_idempotent(request, reply, timeout, [] {});
    }

    // One call, never retried; a gone server or a lost session is noted, so the next call
    // looks the name up and attaches again.
    template <ipc::Request Req>
    ipc::Error call_once(const Req& request, typename Req::Reply& reply,
                         axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
        if (ipc::Error error = attach(timeout); error != ipc::Error::ok) return error;
        ipc::Error error = m_binding.call_once(request, reply, timeout);
        if (error == ipc::Error::server_gone || error == m_session_lost) m_attached = false;
        return error;
    }

    bool attached() const { return m_attached && m_binding.server() != AXO_NIL_THREAD; }
    // The last attach reply (the server's description of the buffer).
    const AttachReply& attach_reply() const { return m_reply; }
    // How many attaches succeeded: tests see the re-attach happen.
    uint32_t attaches() const { return m_attaches; }
    Binding<T>& binding() { return m_binding; }

private:
    Binding<T> m_binding;
    axo_fpage_t m_window;
    ipc::Error m_session_lost;
    Attach m_attach;
    AttachReply m_reply{};
    bool m_attached = false;
    uint32_t m_attaches = 0;
};

} // namespace names
