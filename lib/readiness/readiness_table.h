// Readiness for select and poll without polling and without a thread per waiter: which client
// threads wait for which events of which objects, and whom to notify when an object changes.
// A client thread arms one registration (its thread, the notification bit it waits on, a set of
// (object, events) pairs); when an object reports events one of them wants, the registration is
// due, and the server sends the bit with the kernel's notify (lib/ipc/notification.h). The
// client then asks the objects' states again (README.md: the protocol around it).
//
// A registration notifies once and ends; it also ends when its thread arms another, cancels, or
// dies. Memory comes in from the caller (two arrays); a full table reclaims the registrations of
// threads that are gone (ipc::Liveness) and otherwise answers no_space. Pure logic, no system
// calls: tested on the host (tests/unit/readiness_table_test.cc).
#pragma once

#include <stdint.h>

#include <span>

#include "axolotl/abi.h"
#include "lib/ipc/error.h"
#include "lib/ipc/liveness.h"

namespace readiness {

using ipc::Error;

// poll's events (the values of Linux's <poll.h>, which select and poll in libposix use).
// kPollErr, kPollHup and kPollNval are reported whether asked for or not, as poll does.
constexpr uint32_t kPollIn = 0x001;
constexpr uint32_t kPollPri = 0x002;
constexpr uint32_t kPollOut = 0x004;
constexpr uint32_t kPollErr = 0x008;
constexpr uint32_t kPollHup = 0x010;
constexpr uint32_t kPollNval = 0x020;
constexpr uint32_t kPollAlways = kPollErr | kPollHup | kPollNval;

// What of `events` (an object's state) a poller asking for `wanted` sees: poll's revents.
constexpr uint32_t poll_revents(uint32_t wanted, uint32_t events) {
    return events & (wanted | kPollAlways);
}

// The server's name for a pollable object (a pipe's end, a device, a file); 0 names none.
struct ReadinessObject {
    uint32_t value = 0;
    constexpr bool valid() const { return value != 0; }
    constexpr bool operator==(const ReadinessObject&) const = default;
};

// One (object, events) pair of a registration.
struct Interest {
    ReadinessObject object;
    uint32_t events = 0; // kPoll… wanted; kPollAlways are added
};

// A notification the server sends: ipc notify(thread, bits).
struct ReadinessNotification {
    axo_thread_id_t thread = AXO_NIL_THREAD;
    uint32_t bits = 0;
};

class ReadinessTable {
public:
    // Storage the caller gives; the table keeps no other memory. Contents are the table's.
    struct Registration {
        enum class State : uint8_t { free, armed, due };
        State state = State::free;
        axo_thread_id_t thread = AXO_NIL_THREAD;
        uint32_t owner = 0; // the caller's process id, for owner_gone
        uint32_t bits = 0;  // the notification: 1 << bit
        uint32_t order = 0; // due: when it became due (the outbox is oldest first)
    };
    struct InterestSlot {
        ReadinessObject object; // invalid: a free slot
        uint32_t events = 0;
        uint32_t registration = 0; // index into the registrations
    };

    ReadinessTable(std::span<Registration> registrations, std::span<InterestSlot> interests,
                   ipc::Liveness liveness = {});
    ReadinessTable(const ReadinessTable&) = delete; // two tables on one storage
    ReadinessTable& operator=(const ReadinessTable&) = delete;

    // `thread` (of process `owner`) waits for `interests` with notification bit `bit`; its
    // earlier registration ends first (also if that was due and not yet taken).
    // Errors: invalid_argument (bit above 31, no interests, an invalid object); no_space (no free
    // registration or too few interest slots, after reclaiming threads that are gone) — then the
    // thread has no registration.
    Error arm(axo_thread_id_t thread, uint32_t owner, uint32_t bit,
              std::span<const Interest> interests);
    // The thread's registration ends unnotified. True if it had one.
    bool cancel(axo_thread_id_t thread);
    // A thread or a whole process ended: its registrations end. How many.
    bool thread_gone(axo_thread_id_t thread) { return cancel(thread); }
    uint32_t owner_gone(uint32_t owner);
    // Ends the registrations of threads that no longer exist (asks the Liveness); how many.
    uint32_t reclaim();

    // `object`'s events are now `events`: every armed registration that wants one of them
    // (kPollAlways count for all) becomes due. How many became due.
    uint32_t update(ReadinessObject object, uint32_t events);
    // `object` is gone (its last description closed): registrations on it become due, so that
    // their threads ask again and see kPollNval. How many became due.
    uint32_t object_gone(ReadinessObject object) { return update(object, kPollNval); }

    // The outbox: the next notification to send, oldest registration first; the registration
    // ends. False when none is due.
    bool take_notification(ReadinessNotification* out);
    bool has_notifications() const { return m_due != 0; }
    // Whether any thread is registered, armed or due (O(1): servers ask before every receive).
    bool anyone_registered() const { return m_registered != 0; }

    // For tests and statistics.
    uint32_t registrations() const; // armed or due
    uint32_t free_interest_slots() const;
    bool armed(axo_thread_id_t thread) const;

private:
    int32_t find(axo_thread_id_t thread) const;
    void end(uint32_t index);

    std::span<Registration> m_registrations;
    std::span<InterestSlot> m_interests;
    ipc::Liveness m_liveness;
    uint32_t m_due = 0;
    uint32_t m_registered = 0; // registrations armed or due
    uint32_t m_stamp = 0;      // the next Registration::order
    uint32_t m_used_interests = 0;
};

} // namespace readiness
