#include "servers/proc/event_stream.h"

namespace proc {

EventStream::Subscriber* EventStream::find(axo_thread_id_t thread) {
    if (thread == AXO_NIL_THREAD) return nullptr;
    for (Subscriber& subscriber : m_subscribers)
        if (subscriber.thread == thread) return &subscriber;
    return nullptr;
}

ipc::Error EventStream::subscribe(axo_thread_id_t from, uint32_t notify_bits) {
    if (from == AXO_NIL_THREAD) return ipc::Error::invalid_argument;
    Subscriber* place = find(from);
    // A subscriber that subscribes again starts afresh (it restarted, or it resyncs).
    for (uint32_t i = 0; i < kMaxSubscribers && place == nullptr; ++i)
        if (m_subscribers[i].thread == AXO_NIL_THREAD) place = &m_subscribers[i];
    // Full: a dead subscriber's place is taken.
    for (uint32_t i = 0; i < kMaxSubscribers && place == nullptr; ++i)
        if (m_host.alive != nullptr && !m_host.alive(m_host.context, m_subscribers[i].thread))
            place = &m_subscribers[i];
    if (place == nullptr) return ipc::Error::no_space;
    *place = Subscriber{};
    place->thread = from;
    place->notify_bits = notify_bits;
    return ipc::Error::ok;
}

uint32_t EventStream::compose(const Subscriber& subscriber, EventNextReply& reply) {
    reply = EventNextReply{};
    uint32_t n = subscriber.count < kEventsPerReply ? subscriber.count : kEventsPerReply;
    for (uint32_t i = 0; i < n; ++i)
        reply.events[i] = subscriber.queue[(subscriber.head + i) % kEventQueueDepth];
    reply.count = n;
    reply.pending = subscriber.count - n;
    reply.lost = subscriber.lost ? 1 : 0;
    return n;
}

void EventStream::take(Subscriber& subscriber, uint32_t count) {
    subscriber.head = (subscriber.head + count) % kEventQueueDepth;
    subscriber.count -= count;
    subscriber.lost = false;
}

ipc::Error EventStream::next(axo_thread_id_t from, const EventNextRequest& request,
                             EventNextReply& reply) {
    if ((request.options & ~kEventNoHang) != 0) return ipc::Error::invalid_argument;
    Subscriber* subscriber = find(from);
    if (subscriber == nullptr) return ipc::Error::not_found;
    // A thread makes one call at a time: a deferred one it had is given up.
    subscriber->waiting = false;
    if (subscriber->count == 0 && !subscriber->lost && (request.options & kEventNoHang) == 0) {
        subscriber->waiting = true;
        return ipc::kNoReply;
    }
    // A direct reply: the dispatcher sends it as the answer to this call; the caller is
    // receiving (it called), so it is delivered unless the caller's thread died meanwhile,
    // which ends the subscription anyway.
    take(*subscriber, compose(*subscriber, reply));
    return ipc::Error::ok;
}

void EventStream::flush(Subscriber& subscriber) {
    if (!subscriber.waiting || (subscriber.count == 0 && !subscriber.lost)) return;
    EventNextReply reply;
    uint32_t n = compose(subscriber, reply);
    subscriber.waiting = false;
    // Only a delivered reply empties the queue: a subscriber that stopped waiting finds the
    // events again with its next call.
    if (m_host.answer(m_host.context, subscriber.thread, reply)) take(subscriber, n);
}

void EventStream::publish(const Event& event) {
    for (Subscriber& subscriber : m_subscribers) {
        if (subscriber.thread == AXO_NIL_THREAD) continue;
        if (subscriber.count == kEventQueueDepth) {
            subscriber.lost = true;
        } else {
            subscriber.queue[(subscriber.head + subscriber.count) % kEventQueueDepth] = event;
            ++subscriber.count;
        }
    }
    for (Subscriber& subscriber : m_subscribers) {
        if (subscriber.thread == AXO_NIL_THREAD) continue;
        flush(subscriber);
        // What a delivered reply did not take (or all, for a subscriber not waiting in a call):
        // its bits tell it to ask.
        if (subscriber.notify_bits != 0 && (subscriber.count != 0 || subscriber.lost) &&
            m_host.notify != nullptr)
            m_host.notify(m_host.context, subscriber.thread, subscriber.notify_bits);
    }
}

void EventStream::thread_died(axo_thread_id_t thread) {
    if (Subscriber* subscriber = find(thread); subscriber != nullptr) *subscriber = Subscriber{};
}

uint32_t EventStream::subscribers() const {
    uint32_t n = 0;
    for (const Subscriber& subscriber : m_subscribers)
        n += subscriber.thread != AXO_NIL_THREAD ? 1 : 0;
    return n;
}

uint32_t EventStream::queued(axo_thread_id_t thread) const {
    for (const Subscriber& subscriber : m_subscribers)
        if (subscriber.thread == thread && thread != AXO_NIL_THREAD) return subscriber.count;
    return 0;
}

} // namespace proc
