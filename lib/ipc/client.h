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

} // namespace ipc
