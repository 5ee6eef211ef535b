// The client side of the RPC framework: a typed call over any transport.
//
//   LookupRequest request{...};
//   LookupRequest::Reply reply;
//   ipc::Error error = ipc::call(transport, server, request, reply, timeout);
//
// The result is the server's answer (an ipc::Error from the reply label) or a transport error
// (timed_out, server_gone, ipc_failed). `reply` is written only on Error::ok.
//
// A transport is anything with
//   ipc::Message message();                    // the registers the call sends and receives in
//   uint32_t call(axo_thread_id_t to, uint32_t timeouts);  // 0, or the UTCB error word
// The kernel's is ipc::KernelTransport (lib/ipc/kernel.h); host tests plug a dispatcher in.
#pragma once

#include <stdint.h>

#include "lib/ipc/map_item.h"
#include "lib/ipc/message.h"

namespace ipc {

template <class T>
concept Transport = requires(T& transport, axo_thread_id_t to, uint32_t timeouts) {
    { transport.message() } -> std::same_as<Message>;
    { transport.call(to, timeouts) } -> std::same_as<uint32_t>;
};

// `timeout` bounds each phase: getting the request to the server (which may be serving
// others), then waiting for its reply. AXO_TIMEOUT_NEVER waits as long as the server lives.
template <Transport T, Request Req>
Error call(T& transport, axo_thread_id_t server, const Req& request, typename Req::Reply& reply,
           axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
    Message message = transport.message();
    put(message, Req::kLabel, request);
    if (uint32_t error_word = transport.call(server, axo_timeouts(timeout, timeout));
        error_word != 0)
        return transport_error(error_word);
    return get_reply(message, reply);
}

// A transport whose receive window (BR0: where map items may land) can be set for one call.
template <class T>
concept WindowTransport = Transport<T> && requires(T& transport, axo_fpage_t window) {
    { transport.set_receive_window(window) } -> std::same_as<axo_fpage_t>; // the old one
};

// A request that carries one item (the caller maps or grants the server `item`'s fpage):
// label, the request's words, the item. The reply is an ordinary one.
template <Transport T, Request Req>
Error call_with_item(T& transport, axo_thread_id_t server, const Req& request, const MapItem& item,
                     typename Req::Reply& reply, axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
    Message message = transport.message();
    put_with_item(message, Req::kLabel, request, item);
    if (uint32_t error_word = transport.call(server, axo_timeouts(timeout, timeout));
        error_word != 0)
        return transport_error(error_word);
    return get_reply(message, reply);
}

// A call whose ok reply carries one item (the server shares memory or ports with the caller),
// which lands in `window` — the receive window for this call only, restored after. Errors as
// for call(); an ok reply of another shape (not exactly the reply's words and one item) is
// bad_message. `item`, if given, receives what the server sent.
template <WindowTransport T, Request Req>
Error call_receiving_item(T& transport, axo_thread_id_t server, const Req& request,
                          typename Req::Reply& reply, axo_fpage_t window,
                          axo_timeout_t timeout = AXO_TIMEOUT_NEVER, MapItem* item = nullptr) {
    Message message = transport.message();
    put(message, Req::kLabel, request);
    axo_fpage_t saved = transport.set_receive_window(window);
    uint32_t error_word = transport.call(server, axo_timeouts(timeout, timeout));
    (void)transport.set_receive_window(saved);
    if (error_word != 0) return transport_error(error_word);
    MapItem received;
    Error error = get_reply_with_item(message, reply, received);
    if (error == Error::ok && item != nullptr) *item = received;
    return error;
}

} // namespace ipc
