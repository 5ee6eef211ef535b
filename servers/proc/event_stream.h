// The event stream (protocol.h, "The event stream"): per subscriber thread a bounded queue of
// process events and at most one deferred kProcEventNext. Pure: sending a deferred reply and
// asking whether a thread lives are injected, so the rules — order, loss on overflow, a queue
// emptied only by a delivered reply — are tested on the host
// (tests/unit/proc_event_stream_test.cc).
#pragma once

#include <stdint.h>

#include "interfaces/process/protocol.h"
#include "lib/ipc/dispatcher.h"

namespace proc {

struct EventHost {
    void* context;
    // Sends `reply` to `subscriber`, blocked in its kProcEventNext, without waiting; false if it
    // is no longer receiving (its call timed out, or it is gone).
    bool (*answer)(void* context, axo_thread_id_t subscriber, const EventNextReply& reply);
    // Whether the thread exists; nullptr: every subscriber is taken for alive.
    bool (*alive)(void* context, axo_thread_id_t thread) = nullptr;
    // Sets `bits` in the subscriber's notification word (kernel notify); nullptr: nobody is
    // notified.
    void (*notify)(void* context, axo_thread_id_t subscriber, uint32_t bits) = nullptr;
};

class EventStream {
public:
    explicit EventStream(EventHost host) : m_host(host) {}

    // The handlers; `from` is the kernel-given sender.
    // `notify_bits` (0: none): set in the subscriber's notification word whenever an event is
    // queued for it or lost (kProcEventSubscribeNotify).
    ipc::Error subscribe(axo_thread_id_t from, uint32_t notify_bits = 0);
    // ipc::kNoReply: deferred (answered by a later publish).
    ipc::Error next(axo_thread_id_t from, const EventNextRequest& request, EventNextReply& reply);

    // Queues `event` for every subscriber (or marks it lost), and answers every subscriber
    // blocked in kProcEventNext. When publish returns, the event is in every queue that had room.
    void publish(const Event& event);
    // The thread is gone (its process ended): its subscription goes.
    void thread_died(axo_thread_id_t thread);

    uint32_t subscribers() const;
    // Events queued for `thread`, for tests; 0 if it is no subscriber.
    uint32_t queued(axo_thread_id_t thread) const;

private:
    struct Subscriber {
        axo_thread_id_t thread = AXO_NIL_THREAD;
        bool waiting = false; // blocked in kProcEventNext: answer when there is something
        bool lost = false;    // an event found the queue full
        uint32_t notify_bits = 0;
        uint32_t head = 0, count = 0;
        Event queue[kEventQueueDepth] = {};
    };

    Subscriber* find(axo_thread_id_t thread);
    // The reply that would take the oldest events; the number taken.
    static uint32_t compose(const Subscriber& subscriber, EventNextReply& reply);
    static void take(Subscriber& subscriber, uint32_t count);
    void flush(Subscriber& subscriber);

    EventHost m_host;
    Subscriber m_subscribers[kMaxSubscribers];
};

} // namespace proc
