// The RPC framework on the real kernel: the calling thread's UTCB as the message registers,
// axo_ipc for the transport, and the server loop. Target only (it makes system calls); the
// logic it drives lives in message.h, client.h and dispatcher.h and is tested on the host.
#pragma once

#include <stdint.h>

#include "axolotl/syscalls.h"
#include "lib/ipc/client.h"
#include "lib/ipc/dispatcher.h"
#include "lib/ipc/liveness.h"
#include "lib/ipc/message.h"
#include "lib/ipc/notification.h"

namespace ipc {

// The calling thread's own registers: a KernelTransport is per thread, never shared.
class KernelTransport {
public:
    Message message() { return Message(axo_my_utcb()->mr); }
    axo_fpage_t set_receive_window(axo_fpage_t window) {
        axo_fpage_t old = axo_my_utcb()->br[0];
        axo_my_utcb()->br[0] = window;
        return old;
    }
    uint32_t call(axo_thread_id_t to, uint32_t timeouts) {
        axo_utcb_t* utcb = axo_my_utcb();
        axo_msg_tag_t tag = axo_ipc_call(to, timeouts);
        if (!axo_tag_failed(tag)) return 0;
        // A failure always has a code; never let a zero word pass for success.
        return utcb->error != 0 ? utcb->error : (uint32_t{AXO_IPC_INVALID} << 1);
    }
};
static_assert(WindowTransport<KernelTransport>);

// ipc::call on the calling thread's UTCB.
template <Request Req>
Error call(axo_thread_id_t server, const Req& request, typename Req::Reply& reply,
           axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
    KernelTransport transport;
    return call(transport, server, request, reply, timeout);
}

// A deferred reply (a handler returned kNoReply): the reply of `Req`'s operation, sent now to
// the client still blocked in its call. The send timeout is zero, as in serve: a client that
// stopped waiting (its call timed out, or it was deleted) costs a failed send, never a blocked
// server. True if the client got it. Uses the calling thread's message registers.
template <WireLayout T> bool send_reply(axo_thread_id_t client, const T& reply) {
    Message message(axo_my_utcb()->mr);
    put_reply(message, reply);
    return !axo_tag_failed(axo_ipc_send(client, AXO_TIMEOUT_ZERO));
}
inline bool send_error(axo_thread_id_t client, Error error) {
    Message message(axo_my_utcb()->mr);
    put_error(message, error);
    return !axo_tag_failed(axo_ipc_send(client, AXO_TIMEOUT_ZERO));
}

// A call whose ok reply carries one map item (2 typed words) after the reply struct's words:
// memory (or ports) the server shares with the caller, which land in `window` — BR0 for this
// call only (restored after). Error replies are as for call(); an ok reply of another shape
// is bad_message. The server's side is send_reply_with_map. The one implementation of such
// replies (proc's device replies through lib/driver, ata's buffers, e1000's areas, σ0).
template <Request Req>
Error call_receiving_map(axo_thread_id_t server, const Req& request, typename Req::Reply& reply,
                         axo_fpage_t window, axo_timeout_t timeout = AXO_TIMEOUT_NEVER,
                         MapItem* item = nullptr) {
    KernelTransport transport;
    return call_receiving_item(transport, server, request, reply, window, timeout, item);
}

// A request that maps or grants the server `item` (its receive window must take it).
template <Request Req>
Error call_with_item(axo_thread_id_t server, const Req& request, const MapItem& item,
                     typename Req::Reply& reply, axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
    KernelTransport transport;
    return call_with_item(transport, server, request, item, reply, timeout);
}

// The server's side of call_receiving_map, as a deferred reply (the handler then returns
// kNoReply): `reply`'s words and one item — `item.fpage` of the server's space with the rights
// to give, `item.send_base` its hotspot (axolotl/abi.h, typed items). Zero send timeout; true
// if the client got it.
template <WireLayout T>
bool send_reply_with_item(axo_thread_id_t client, const T& reply, const MapItem& item) {
    Message message(axo_my_utcb()->mr);
    put_reply_with_item(message, reply, item);
    return !axo_tag_failed(axo_ipc_send(client, AXO_TIMEOUT_ZERO));
}
template <WireLayout T>
bool send_reply_with_map(axo_thread_id_t client, const T& reply, uint32_t send_base,
                         axo_fpage_t fpage) {
    return send_reply_with_item(client, reply, MapItem::map(send_base, fpage));
}

// Whether `thread` exists, asked of the kernel by any thread: thread_switch refuses a stale or
// unknown id (AXO_ERR_INVALID_THREAD). Otherwise it gives the rest of the caller's time slice
// to the thread (or yields): ask only when a client's slot is needed, not per request.
inline bool thread_exists(axo_thread_id_t thread) {
    return axo_thread_switch(thread) != AXO_ERR_INVALID_THREAD;
}
// The Liveness of lib/ipc's tables on the kernel.
constexpr Liveness kernel_liveness() {
    return Liveness{nullptr, [](void*, axo_thread_id_t thread) { return thread_exists(thread); }};
}

// The server loop: receive from anyone, dispatch, reply and wait for the next request in one
// IPC. The reply goes out with a zero send timeout (axo_ipc_reply_wait): a client that left,
// or does not wait for its reply, costs the server nothing but a failed reply — it is never
// blocked by one. After a failed reply, or a failed receive, it simply receives again.
// The receive window (BR0) is left as the caller set it: nil, unless the server expects map
// items with its requests.
template <class Context> [[noreturn]] void serve(Dispatcher<Context>& dispatcher) {
    Message message(axo_my_utcb()->mr);
    axo_thread_id_t from = axo_ipc_receive(AXO_ANY_THREAD, AXO_TIMEOUT_NEVER);
    for (;;) {
        if (message.failed()) {
            if (axo_ipc_error_in_receive(axo_my_utcb()->error))
                dispatcher.note_failed_receive();
            else
                dispatcher.note_failed_reply();
            from = axo_ipc_receive(AXO_ANY_THREAD, AXO_TIMEOUT_NEVER);
            continue;
        }
        if (dispatcher.dispatch(from, message) == Outcome::reply)
            from = axo_ipc_reply_wait(from, AXO_TIMEOUT_NEVER);
        else
            from = axo_ipc_receive(AXO_ANY_THREAD, AXO_TIMEOUT_NEVER);
    }
}

// ---- notifications (lib/ipc/notification.h) ---------------------------------------------------

// Waits for a message from anyone or for pending notification bits of `mask`, which are taken
// at once (bits first when both are there). A server that clients or proc notify (readiness
// for select, a signal) waits here instead of in a plain receive.
inline Arrival wait_for_message_or_notification(uint32_t mask,
                                                axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
    axo_utcb_t* utcb = axo_my_utcb();
    utcb->notify_mask = mask;
    utcb->mr[0] = AXO_TAG_FLAG_NOTIFY; // no send phase: only the flag counts
    axo_thread_id_t from =
        axo_ipc(AXO_NIL_THREAD, AXO_ANY_THREAD, axo_timeouts(AXO_TIMEOUT_NEVER, timeout));
    return classify_arrival(from, utcb->mr, utcb->error);
}

// Replies to `to` with the message in the registers (zero send timeout, as serve does: pending
// bits never hold a reply back) and waits as wait_for_message_or_notification.
inline Arrival reply_and_wait_for_message_or_notification(axo_thread_id_t to, uint32_t mask) {
    axo_utcb_t* utcb = axo_my_utcb();
    utcb->notify_mask = mask;
    utcb->mr[0] |= AXO_TAG_FLAG_NOTIFY;
    axo_thread_id_t from =
        axo_ipc(to, AXO_ANY_THREAD, axo_timeouts(AXO_TIMEOUT_ZERO, AXO_TIMEOUT_NEVER));
    return classify_arrival(from, utcb->mr, utcb->error);
}

// serve() for a server that also waits for notification bits of `mask`:
// on_notification(bits) runs for every batch of bits taken (it may send deferred replies).
// A failed reply or receive is counted and the loop receives again, as in serve().
template <class Context, class OnNotification>
[[noreturn]] void serve(Dispatcher<Context>& dispatcher, uint32_t mask,
                        OnNotification on_notification) {
    Message message(axo_my_utcb()->mr);
    Arrival arrival = wait_for_message_or_notification(mask);
    for (;;) {
        switch (arrival.kind) {
        case Arrival::Kind::failed:
            if (axo_ipc_error_in_receive(arrival.error_word))
                dispatcher.note_failed_receive();
            else
                dispatcher.note_failed_reply();
            arrival = wait_for_message_or_notification(mask);
            break;
        case Arrival::Kind::notification:
            on_notification(arrival.bits);
            arrival = wait_for_message_or_notification(mask);
            break;
        case Arrival::Kind::message:
            if (dispatcher.dispatch(arrival.from, message) == Outcome::reply)
                arrival = reply_and_wait_for_message_or_notification(arrival.from, mask);
            else
                arrival = wait_for_message_or_notification(mask);
            break;
        }
    }
}

// ipc::call that pending notification bits of `mask` may end (a signal to a thread blocked in
// a call): Error::interrupted, with the bits taken in `bits` (0 otherwise). Bits end it only
// while it waits — to get the request to a busy server (nothing was sent), or for the reply
// (the server has the request; its later reply fails at the server as to a client that left).
template <Request Req>
Error call_interruptible(axo_thread_id_t server, const Req& request, typename Req::Reply& reply,
                         uint32_t mask, uint32_t& bits, axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
    axo_utcb_t* utcb = axo_my_utcb();
    Message message(utcb->mr);
    put(message, Req::kLabel, request);
    utcb->mr[0] |= AXO_TAG_FLAG_NOTIFY;
    utcb->notify_mask = mask;
    axo_thread_id_t from = axo_ipc(server, server, axo_timeouts(timeout, timeout));
    Arrival arrival = classify_arrival(from, utcb->mr, utcb->error);
    bits = arrival.bits;
    switch (arrival.kind) {
    case Arrival::Kind::notification:
        return Error::interrupted;
    case Arrival::Kind::failed:
        return transport_error(arrival.error_word);
    case Arrival::Kind::message:
        break;
    }
    return get_reply(message, reply);
}

} // namespace ipc
