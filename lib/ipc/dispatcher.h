// The server side of the RPC framework: a table of handlers keyed by label, and the dispatch
// of one received message into the reply that goes back in the same message registers.
//
// A handler is typed; the framework does the untyped part:
//
//   ipc::Error on_lookup(Proc& proc, axo_thread_id_t from, const LookupRequest& request,
//                        LookupRequest::Reply& reply);
//   constexpr ipc::Route<Proc> kRoutes[] = {ipc::route<&on_lookup>(), ...};
//   static_assert(ipc::labels_unique(kRoutes));
//   ipc::Dispatcher<Proc> dispatcher(proc, kRoutes);
//
// `from` is the sender as the kernel reports it: the only identity a server may trust (a
// client controls every word of its message, never the id the kernel gives its IPC).
//
// Member functions work too: Error Proc::on_lookup(axo_thread_id_t, const Req&, Reply&).
//
// Deferred replies: a handler that cannot answer yet (a wait for an event) returns
// ipc::kNoReply; the dispatcher then sends nothing, the client stays blocked in its call, and
// the server answers later with ipc::send_reply / ipc::send_error (kernel.h) from wherever
// the event is handled. The server keeps `from` to know whom to answer.
//
// Kernel protocols (page faults, exceptions) are not typed requests: a server that is a pager
// or an exception handler passes one raw handler for them to the Dispatcher (KernelHandler).
//
// A handler may itself make IPC calls (to another server) although the message registers are
// shared: the request is copied out of them before the handler runs and the reply written
// into them after it returns.
//
// Pure logic: the receive/reply loop that feeds it is ipc::serve (lib/ipc/kernel.h).
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <type_traits>

#include "interfaces/labels.h"
#include "lib/ipc/map_item.h"
#include "lib/ipc/message.h"

namespace ipc {

// What a server's dispatcher saw; tests and diagnostics read it.
struct DispatchStats {
    uint32_t messages;         // every message dispatched
    uint32_t errors;           // error replies sent, whatever the cause
    uint32_t bad_operations;   // labels without a handler (answered Error::bad_operation)
    uint32_t wrong_interfaces; // labels of interfaces not served here (Error::wrong_interface)
    uint32_t bad_messages;     // requests of the wrong shape (answered Error::bad_message)
    uint32_t kernel_messages;  // kernel-protocol labels (to the kernel handler, or dropped)
    uint32_t failed_replies;   // replies that could not be delivered (the client left)
    uint32_t failed_receives;  // receives that failed (cancelled or aborted)
    uint32_t deferred;         // requests whose handler returned kNoReply
};

// Returned by a handler that sends no reply now: it will answer later (ipc::send_reply), or
// nobody is left to answer (the caller's thread was deleted by the request itself). Never on
// the wire: a reply label is 16 bits, and this value is not one.
inline constexpr Error kNoReply = static_cast<Error>(0x10000u);

enum class Outcome {
    reply,    // the message registers hold the reply: send it to the sender
    no_reply, // answer nobody (see Dispatcher::dispatch)
};

template <class Context> struct Route {
    uint32_t label;
    // Reads the request from the registers; on Error::ok it has written the reply there.
    Error (*handle)(Context& context, axo_thread_id_t from, Message& message);
};

// ---- Handlers --------------------------------------------------------------------------------

template <class F> struct HandlerTraits;
template <class C, class Req, class Rep>
struct HandlerTraits<Error (*)(C&, axo_thread_id_t, const Req&, Rep&)> {
    using Context = C;
    using Request = Req;
    using Reply = Rep;
    static Error call(auto handler, C& context, axo_thread_id_t from, const Req& request,
                      Rep& reply) {
        return handler(context, from, request, reply);
    }
};
template <class C, class Req, class Rep>
struct HandlerTraits<Error (C::*)(axo_thread_id_t, const Req&, Rep&)> {
    using Context = C;
    using Request = Req;
    using Reply = Rep;
    static Error call(auto handler, C& context, axo_thread_id_t from, const Req& request,
                      Rep& reply) {
        return (context.*handler)(from, request, reply);
    }
};

template <auto Handler>
Error typed_thunk(typename HandlerTraits<decltype(Handler)>::Context& context, axo_thread_id_t from,
                  Message& message) {
    using Traits = HandlerTraits<decltype(Handler)>;
    using Req = typename Traits::Request;
    static_assert(Request<Req>, "a handler's request must be an ipc::Request");
    static_assert(std::is_same_v<typename Traits::Reply, typename Req::Reply>,
                  "a handler's reply must be its request's Reply");
    Req request;
    if (Error error = get(message, request); error != Error::ok) return error;
    typename Req::Reply reply{};
    Error error = Traits::call(Handler, context, from, request, reply);
    // After kNoReply the registers may hold anything the handler sent meanwhile: left alone.
    if (error == Error::ok) put_reply(message, reply);
    return error;
}

// The route of a typed handler; the label is its request's kLabel.
template <auto Handler>
constexpr Route<typename HandlerTraits<decltype(Handler)>::Context> route() {
    using Traits = HandlerTraits<decltype(Handler)>;
    static_assert(labels::is_allocated(Traits::Request::kLabel),
                  "a request's label must lie in an interface's range (interfaces/labels.h)");
    return {Traits::Request::kLabel, &typed_thunk<Handler>};
}

template <class Context, Request Req>
Error unsupported_thunk(Context&, axo_thread_id_t, Message& message) {
    // The shape is still checked: a malformed request is a client bug worth telling apart.
    Req request;
    if (Error error = get(message, request); error != Error::ok) return error;
    return Error::unsupported;
}

// A declared operation the server does not implement (yet): a well-formed request gets
// Error::unsupported, a malformed one Error::bad_message.
template <class Context, Request Req> constexpr Route<Context> unsupported() {
    static_assert(labels::is_allocated(Req::kLabel),
                  "a request's label must lie in an interface's range (interfaces/labels.h)");
    return {Req::kLabel, &unsupported_thunk<Context, Req>};
}

// ---- Requests that carry an item -------------------------------------------------------------

// A handler of a request that carries one map or grant item (client.h: call_with_item):
//   ipc::Error on_share(Ctx&, axo_thread_id_t from, const ShareRequest&, const ipc::MapItem&,
//                       ShareRequest::Reply&);
// The item has already landed in the server's receive window (BR0, which the server set: the
// loop leaves it alone); `item` says what the client sent. A request of this label without
// exactly one item is bad_message, before the handler runs.
template <class C, class Req, class Rep>
using ItemHandler = Error (*)(C&, axo_thread_id_t, const Req&, const MapItem&, Rep&);

template <class F> struct ItemHandlerTraits;
template <class C, class Req, class Rep> struct ItemHandlerTraits<ItemHandler<C, Req, Rep>> {
    using Context = C;
    using Request = Req;
    using Reply = Rep;
};

template <auto Handler>
Error item_thunk(typename ItemHandlerTraits<decltype(Handler)>::Context& context,
                 axo_thread_id_t from, Message& message) {
    using Traits = ItemHandlerTraits<decltype(Handler)>;
    using Req = typename Traits::Request;
    static_assert(Request<Req>, "a handler's request must be an ipc::Request");
    static_assert(std::is_same_v<typename Traits::Reply, typename Req::Reply>,
                  "a handler's reply must be its request's Reply");
    Req request;
    MapItem item;
    if (Error error = get_with_item(message, request, item); error != Error::ok) return error;
    typename Req::Reply reply{};
    Error error = Handler(context, from, request, item, reply);
    if (error == Error::ok) put_reply(message, reply);
    return error;
}

template <auto Handler>
constexpr Route<typename ItemHandlerTraits<decltype(Handler)>::Context> route_with_item() {
    return {ItemHandlerTraits<decltype(Handler)>::Request::kLabel, &item_thunk<Handler>};
}

// For static_assert on a route table.
template <class Context, size_t N> constexpr bool labels_unique(const Route<Context> (&routes)[N]) {
    for (size_t i = 0; i < N; ++i)
        for (size_t j = i + 1; j < N; ++j)
            if (routes[i].label == routes[j].label) return false;
    return true;
}

// ---- The dispatcher ------------------------------------------------------------------------

template <class Context> class Dispatcher {
public:
    // A message of a kernel protocol (label >= AXO_LABEL_EXCEPTION), raw: the handler reads
    // the registers, may write a reply into them (a map item for a page fault) and says
    // whether to send it. `from` is the faulting thread, as the kernel reports it.
    using KernelHandler = Outcome (*)(Context& context, axo_thread_id_t from, Message& message);
    // Runs before every request (any label below AXO_LABEL_EXCEPTION, routed or not): a thread
    // makes one call at a time, so its request says it gave up any call of it the server still
    // holds — the hook cancels that (ipc::PendingRequests::cancel), so that no stale reply
    // answers this call.
    using RequestHook = void (*)(Context& context, axo_thread_id_t from);

    template <size_t N>
    Dispatcher(Context& context, const Route<Context> (&routes)[N],
               KernelHandler kernel_handler = nullptr, RequestHook request_hook = nullptr)
        : m_context(context), m_routes(routes), m_route_count(N), m_kernel_handler(kernel_handler),
          m_request_hook(request_hook) {}

    // Turns the request in `message` (from `from`) into its reply, in place.
    //  - a label with a route: the handler's reply, or an error reply (bad_message for a
    //    request of the wrong shape);
    //  - a handler's kNoReply: nothing (Outcome::no_reply);
    //  - a label of the kernel's protocols (exceptions, page faults, interrupts): to the kernel
    //    handler, or without one dropped (Outcome::no_reply), because their senders wait for a
    //    reply of a different kind — an error reply to a page fault would only fault again,
    //    forever. The sender stays blocked, which is what an unhandled fault should do;
    //  - any other label of an interface this dispatcher serves (one of its routes' ranges,
    //    interfaces/labels.h): an Error::bad_operation reply;
    //  - any other label: an Error::wrong_interface reply — the request went to the wrong
    //    server, and is never taken for one of this server's operations.
    Outcome dispatch(axo_thread_id_t from, Message& message) {
        ++m_stats.messages;
        uint32_t label = message.label();
        if (label < AXO_LABEL_EXCEPTION && m_request_hook != nullptr)
            m_request_hook(m_context, from);
        for (size_t i = 0; i < m_route_count; ++i) {
            if (m_routes[i].label != label) continue;
            Error error = m_routes[i].handle(m_context, from, message);
            if (error == kNoReply) {
                ++m_stats.deferred;
                return Outcome::no_reply;
            }
            if (error != Error::ok) {
                ++m_stats.errors;
                if (error == Error::bad_message) ++m_stats.bad_messages;
                put_error(message, error);
            }
            return Outcome::reply;
        }
        if (label >= AXO_LABEL_EXCEPTION) {
            ++m_stats.kernel_messages;
            if (m_kernel_handler != nullptr) return m_kernel_handler(m_context, from, message);
            return Outcome::no_reply;
        }
        ++m_stats.errors;
        if (serves_range_of(label)) {
            ++m_stats.bad_operations;
            put_error(message, Error::bad_operation);
        } else {
            ++m_stats.wrong_interfaces;
            put_error(message, Error::wrong_interface);
        }
        return Outcome::reply;
    }

    // Whether `label` lies in the range of an interface one of the routes belongs to: the
    // interfaces a dispatcher serves are those of its routes.
    bool serves_range_of(uint32_t label) const {
        const labels::Range* range = labels::range_of(label);
        if (range == nullptr) return false;
        for (size_t i = 0; i < m_route_count; ++i)
            if (labels::contains(*range, m_routes[i].label)) return true;
        return false;
    }

    // From the server loop.
    void note_failed_reply() { ++m_stats.failed_replies; }
    void note_failed_receive() { ++m_stats.failed_receives; }

    const DispatchStats& stats() const { return m_stats; }
    Context& context() { return m_context; }

private:
    Context& m_context;
    const Route<Context>* m_routes;
    size_t m_route_count;
    KernelHandler m_kernel_handler;
    RequestHook m_request_hook;
    DispatchStats m_stats{};
};

} // namespace ipc
