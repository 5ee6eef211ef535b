// select, pselect, poll and ppoll (libposix/README.md "Waiting for descriptors"): one request
// per server that holds some of the descriptors — fs (interfaces/file kFilePoll) for files,
// pipes, FIFOs and devices, the terminal (interfaces/tty kTtyPoll) for the console — and, when
// nothing is ready, a wait for the notification bit kPollBit that those servers set once
// something may have become ready (lib/readiness/README.md: the protocol). No polling loop and
// no thread: the thread sleeps in one receive that the bit, the timeout or a signal's diversion
// (EINTR: poll is never restarted, SA_RESTART or not) ends.
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/select.h>
#include <time.h>

#include "interfaces/file/client.h"
#include "interfaces/tty/protocol.h"
#include "libposix/file_calls.h"
#include "libposix/file_modes.h"
#include "libposix/posix.h"

namespace posix {
namespace {

// The notification bit a thread waits on in poll (bit 1 is the timer thread's, time.cc).
constexpr uint32_t kPollBit = 2;
constexpr uint32_t kPollMask = 1u << kPollBit;
constexpr int64_t kForever = -1;
// The longest single receive timeout: well inside what axo_timeout_us encodes.
constexpr uint32_t kLongestWaitUs = 1u << 30;

// The wire's values (interfaces/file kFilePoll, interfaces/tty kTtyPoll) are Linux's.
static_assert(POLLIN == 0x001 && POLLPRI == 0x002 && POLLOUT == 0x004 && POLLERR == 0x008 &&
              POLLHUP == 0x010 && POLLNVAL == 0x020 && POLLIN == tty::kPollIn &&
              POLLOUT == tty::kPollOut);
static_assert(FD_SETSIZE >= DescriptorTable::kSize);

uint64_t now_us() {
    static const axo_kip_t* kip;
    if (kip == nullptr) kip = axo_kernel_interface();
    return axo_kip_clock_us(kip);
}

// The events a server is asked for: POLLRDNORM counts as POLLIN, POLLWRNORM as POLLOUT.
uint32_t wanted(short events) {
    uint32_t w = static_cast<uint32_t>(events) & (POLLIN | POLLPRI | POLLOUT);
    if (events & POLLRDNORM) w |= POLLIN;
    if (events & POLLWRNORM) w |= POLLOUT;
    return w;
}

// What poll reports of a server's `revents` for the pollfd's `events`.
short reported(short events, uint32_t revents) {
    uint32_t r = revents & (wanted(events) | POLLERR | POLLHUP | POLLNVAL);
    if ((revents & POLLIN) && (events & POLLRDNORM)) r |= POLLRDNORM;
    if ((revents & POLLOUT) && (events & POLLWRNORM)) r |= POLLWRNORM;
    return static_cast<short>(r);
}

// One pass over the descriptors: every server's answer for its own, `wait` asking each to arm
// the notification when it has nothing ready. How many pollfds have revents; -1 with errno.
// *armed: some server holds a registration now.
int ask(struct pollfd* fds, nfds_t count, bool wait, bool* armed) {
    *armed = false;
    file::PollItem items[file::kPollMaxItems];
    uint16_t item_of[file::kPollMaxItems]; // the pollfd of each item
    uint32_t item_count = 0;
    // Per terminal: the first pollfd on it (each terminal is asked once) and the events wanted.
    int console[kTerminals];
    short console_events[kTerminals] = {};
    for (int& first : console)
        first = -1;
    int ready = 0;
    for (nfds_t i = 0; i < count; ++i) {
        struct pollfd& p = fds[i];
        p.revents = 0;
        if (p.fd < 0) continue;
        const Descriptor* entry = descriptors().get(p.fd);
        if (entry == nullptr) {
            p.revents = POLLNVAL;
            ++ready;
            continue;
        }
        switch (entry->kind) {
        case DescriptorKind::file:
            items[item_count] = file::PollItem{static_cast<int32_t>(entry->handle),
                                               static_cast<uint16_t>(wanted(p.events)), 0};
            item_of[item_count++] = static_cast<uint16_t>(i);
            break;
        case DescriptorKind::console:
            if (entry->handle >= kTerminals) {
                p.revents = POLLNVAL;
                ++ready;
                break;
            }
            if (console[entry->handle] < 0) console[entry->handle] = static_cast<int>(i);
            console_events[entry->handle] =
                static_cast<short>(console_events[entry->handle] | p.events);
            break;
        default:
            // A stream server without readiness of its own: never let a poller wait for it.
            p.revents = reported(p.events, POLLIN | POLLOUT);
            if (p.revents != 0) ++ready;
            break;
        }
    }
    const bool arm = wait && ready == 0;
    uint32_t flags = arm ? file::kPollWait : 0;
    if (item_count != 0) {
        uint32_t answered = 0;
        ipc::Error error = file_call(
            [&](file::Client& client) {
                return client.poll(items, item_count, kPollBit, flags, answered);
            },
            false);
        if (error != ipc::Error::ok) {
            errno = error == ipc::Error::no_space ? EAGAIN : ipc::to_errno(error);
            return -1;
        }
        for (uint32_t k = 0; k < item_count; ++k) {
            struct pollfd& p = fds[item_of[k]];
            p.revents = reported(p.events, items[k].revents);
            if (p.revents != 0) ++ready;
        }
        *armed = arm && answered == 0;
    }
    for (uint32_t number = 0; number < kTerminals; ++number) {
        if (console[number] < 0) continue;
        uint32_t revents = POLLIN | POLLOUT; // a console that cannot tell: always ready
        axo_thread_id_t terminal = console_thread(number);
        if (terminal != AXO_NIL_THREAD) {
            tty::PollReply reply{};
            const bool arm_here = wait && ready == 0;
            ipc::Error error = ipc::call(terminal,
                                         tty::PollRequest{wanted(console_events[number]), kPollBit,
                                                          arm_here ? tty::kPollWait : 0},
                                         reply);
            if (error == ipc::Error::ok) {
                revents = reply.revents;
                if (arm_here && revents == 0) *armed = true;
            } else if (error == ipc::Error::no_space) {
                errno = EAGAIN;
                return -1;
            } else if (error == ipc::Error::ipc_failed && call_was_interrupted()) {
                errno = EINTR;
                return -1;
            }
        }
        for (nfds_t i = static_cast<nfds_t>(console[number]); i < count; ++i) {
            struct pollfd& p = fds[i];
            if (p.fd < 0) continue;
            const Descriptor* entry = descriptors().get(p.fd);
            if (entry == nullptr || entry->kind != DescriptorKind::console ||
                entry->handle != number)
                continue;
            p.revents = reported(p.events, revents);
            if (p.revents != 0) ++ready;
        }
    }
    return ready;
}

// Ends the registrations a pass left (the time ran out, a signal came, or another server was
// ready): a later notification would only wake a later wait for nothing.
// Which terminals (bit n: terminal n) the pollfds name, and whether they name files of fs.
uint32_t terminals_polled(const struct pollfd* fds, nfds_t count, bool* files) {
    uint32_t terminals = 0;
    *files = false;
    for (nfds_t i = 0; i < count; ++i) {
        const Descriptor* entry = fds[i].fd >= 0 ? descriptors().get(fds[i].fd) : nullptr;
        if (entry == nullptr) continue;
        *files |= entry->kind == DescriptorKind::file;
        if (entry->kind == DescriptorKind::console && entry->handle < kTerminals)
            terminals |= 1u << entry->handle;
    }
    return terminals;
}

void disarm(struct pollfd* fds, nfds_t count) {
    bool files = false;
    uint32_t terminals = terminals_polled(fds, count, &files);
    if (files) {
        file::PollReply reply{};
        (void)file_call([&](file::Client& client) {
            return client.call_once(file::PollRequest{0, kPollBit, 0}, reply);
        });
    }
    for (uint32_t number = 0; number < kTerminals; ++number) {
        if ((terminals & 1u << number) == 0 || console_thread(number) == AXO_NIL_THREAD) continue;
        tty::PollReply reply{};
        (void)ipc::call(console_thread(number), tty::PollRequest{0, kPollBit, 0}, reply);
    }
}

// Lets the servers that may notify this thread set kPollBit in its word.
void grant(struct pollfd* fds, nfds_t count) {
    axo_thread_id_t self = axo_my_utcb()->my_id;
    bool files = false;
    uint32_t terminals = terminals_polled(fds, count, &files);
    if (files) {
        file::Client* client = file_client();
        if (client != nullptr && client->attach() == ipc::Error::ok)
            (void)axo_notify_control(self, client->binding().server(), kPollMask);
    }
    for (uint32_t number = 0; number < kTerminals; ++number)
        if ((terminals & 1u << number) != 0 && console_thread(number) != AXO_NIL_THREAD)
            (void)axo_notify_control(self, console_thread(number), kPollMask);
}

// Waits for kPollBit until `deadline` (µs since boot; kForever: none). 1: the bit came;
// 0: the time is up; -1: a signal's diversion ended the wait.
int wait_for_bit(int64_t deadline) {
    axo_utcb_t* utcb = axo_my_utcb();
    axo_timeout_t timeout = AXO_TIMEOUT_NEVER;
    if (deadline != kForever) {
        uint64_t now = now_us();
        if (now >= static_cast<uint64_t>(deadline)) return 0;
        uint64_t left = static_cast<uint64_t>(deadline) - now;
        timeout =
            axo_timeout_us(left > kLongestWaitUs ? kLongestWaitUs : static_cast<uint32_t>(left));
    }
    utcb->notify_mask = kPollMask;
    utcb->mr[0] = axo_msg_tag(0, 0, 0) | AXO_TAG_FLAG_NOTIFY;
    // Nobody sends to a thread from itself: only the bit, the timeout or a diversion end this.
    axo_thread_id_t from =
        axo_ipc(AXO_NIL_THREAD, utcb->my_id, axo_timeouts(AXO_TIMEOUT_NEVER, timeout));
    ipc::Arrival arrival = ipc::classify_arrival(from, utcb->mr, utcb->error);
    utcb->notify_mask = 0;
    if (arrival.kind == ipc::Arrival::Kind::notification) return 1;
    if (axo_ipc_error_code(arrival.error_word) == AXO_IPC_CANCELLED) return -1;
    return deadline == kForever || now_us() < static_cast<uint64_t>(deadline) ? 1 : 0;
}

// poll with a timeout in microseconds (kForever: none).
// `handled`: handlers_run() when the call began; a handler after it interrupts the call.
int poll_for(struct pollfd* fds, nfds_t count, int64_t timeout_us, uint32_t handled) {
    if (count > static_cast<nfds_t>(DescriptorTable::kSize) || (count != 0 && fds == nullptr))
        return fail_errno(EINVAL);
    const int64_t deadline =
        timeout_us < 0 ? kForever : static_cast<int64_t>(now_us()) + timeout_us;
    for (uint32_t round = 0;; ++round) {
        // The first pass only asks: a ready descriptor (the common case) costs one request per
        // server. Only a pass that found nothing is followed by one that arms.
        const bool arming = round > 0;
        bool armed = false;
        int ready = ask(fds, count, arming, &armed);
        if (ready < 0) {
            if (armed) disarm(fds, count);
            return -1;
        }
        if (ready > 0) {
            if (armed) disarm(fds, count); // another server had something
            return ready;
        }
        if (timeout_us == 0) return 0;
        if (!arming) {
            grant(fds, count);
            continue;
        }
        // A handler that ran since the call began (a signal delivered while this thread was
        // not in an ipc the diversion could abort) interrupts it as one during the wait would.
        int woken = handlers_run() != handled ? -1 : wait_for_bit(deadline);
        if (woken == 1) continue; // ask again: the registrations were one-shot
        disarm(fds, count);
        if (woken == 0) return 0;
        return fail_errno(EINTR);
    }
}

// select's sets as pollfds and back.
int select_for(int n, fd_set* readable, fd_set* writable, fd_set* exceptional, int64_t timeout_us,
               uint32_t handled) {
    if (n < 0 || n > FD_SETSIZE) return fail_errno(EINVAL);
    struct pollfd fds[DescriptorTable::kSize];
    nfds_t count = 0;
    for (int fd = 0; fd < n; ++fd) {
        short events = 0;
        if (readable != nullptr && FD_ISSET(fd, readable)) events |= POLLIN;
        if (writable != nullptr && FD_ISSET(fd, writable)) events |= POLLOUT;
        if (exceptional != nullptr && FD_ISSET(fd, exceptional)) events |= POLLPRI;
        if (events == 0) continue;
        if (descriptors().get(fd) == nullptr) return fail_errno(EBADF);
        fds[count++] = pollfd{fd, events, 0};
    }
    int ready = poll_for(fds, count, timeout_us, handled);
    if (ready < 0) return -1;
    if (readable != nullptr) FD_ZERO(readable);
    if (writable != nullptr) FD_ZERO(writable);
    if (exceptional != nullptr) FD_ZERO(exceptional);
    int bits = 0;
    for (nfds_t i = 0; i < count; ++i) {
        const struct pollfd& p = fds[i];
        // A descriptor closed meanwhile by another thread.
        if (p.revents & POLLNVAL) return fail_errno(EBADF);
        if ((p.events & POLLIN) && (p.revents & (POLLIN | POLLHUP | POLLERR))) {
            FD_SET(p.fd, readable);
            ++bits;
        }
        if ((p.events & POLLOUT) && (p.revents & (POLLOUT | POLLERR))) {
            FD_SET(p.fd, writable);
            ++bits;
        }
        if ((p.events & POLLPRI) && (p.revents & POLLPRI)) {
            FD_SET(p.fd, exceptional);
            ++bits;
        }
    }
    return bits;
}

// A timespec as microseconds, rounded up (never early); -2 if it is invalid.
int64_t microseconds(const struct timespec* t) {
    if (t == nullptr) return kForever;
    if (t->tv_sec < 0 || t->tv_nsec < 0 || t->tv_nsec >= 1000000000) return -2;
    return static_cast<int64_t>(t->tv_sec) * 1000000 + (t->tv_nsec + 999) / 1000;
}

// Runs `call(handled)` with the signal mask `mask` (if any), then puts the old one back. A
// signal the mask unblocks that is pending already is delivered as the mask is set, and counts
// (handled was taken before): the call fails with EINTR without waiting, as pselect must.
template <class Call> int with_mask(const sigset_t* mask, Call call) {
    const uint32_t handled = handlers_run();
    if (mask == nullptr) return call(handled);
    sigset_t old;
    if (sigprocmask(SIG_SETMASK, mask, &old) != 0) return -1;
    int result = call(handled);
    int saved = errno;
    (void)sigprocmask(SIG_SETMASK, &old, nullptr);
    errno = saved;
    return result;
}

} // namespace
} // namespace posix

extern "C" {

int poll(struct pollfd* fds, nfds_t count, int timeout_ms) {
    return posix::poll_for(fds, count,
                           timeout_ms < 0 ? posix::kForever : int64_t{timeout_ms} * 1000,
                           posix::handlers_run());
}

int ppoll(struct pollfd* fds, nfds_t count, const struct timespec* timeout, const sigset_t* mask) {
    int64_t us = posix::microseconds(timeout);
    if (us == -2) return posix::fail_errno(EINVAL);
    return posix::with_mask(
        mask, [&](uint32_t handled) { return posix::poll_for(fds, count, us, handled); });
}

int select(int n, fd_set* readable, fd_set* writable, fd_set* exceptional,
           struct timeval* timeout) {
    int64_t us = posix::kForever;
    if (timeout != nullptr) {
        if (timeout->tv_sec < 0 || timeout->tv_usec < 0 || timeout->tv_usec >= 1000000)
            return posix::fail_errno(EINVAL);
        us = static_cast<int64_t>(timeout->tv_sec) * 1000000 + timeout->tv_usec;
    }
    return posix::select_for(n, readable, writable, exceptional, us, posix::handlers_run());
}

int pselect(int n, fd_set* readable, fd_set* writable, fd_set* exceptional,
            const struct timespec* timeout, const sigset_t* mask) {
    int64_t us = posix::microseconds(timeout);
    if (us == -2) return posix::fail_errno(EINVAL);
    return posix::with_mask(mask, [&](uint32_t handled) {
        return posix::select_for(n, readable, writable, exceptional, us, handled);
    });
}

} // extern "C"
