// Waiting for a message or notification bits (kernel ABI: axolotl/abi.h, Notifications): what
// such a wait returned, told apart. Pure logic over the kernel's results, host and target; the
// waits themselves are in kernel.h (wait_for_message_or_notification, serve with a mask,
// call_interruptible).
#pragma once

#include <stdint.h>

#include "axolotl/abi.h"

namespace ipc {

// What ended an ipc that also accepted notification bits.
struct Arrival {
    enum class Kind {
        message,      // a message from `from`, in the message registers
        notification, // `bits`, taken from the thread's word; nothing was received
        failed,       // the ipc failed: `error_word` is the UTCB's error word
    };
    Kind kind;
    axo_thread_id_t from = AXO_NIL_THREAD;
    uint32_t bits = 0;
    // notification: the ipc's message had gone out before the bits ended it (it ended in the
    // receive phase); a reply to it will not be received.
    bool after_send = false;
    uint32_t error_word = 0;
};

// Reads the result of an ipc with AXO_TAG_FLAG_NOTIFY: the `from` it returned, its message
// registers (`mr[0]` the tag) and the UTCB error word. A message labelled AXO_LABEL_NOTIFY from
// a thread is a message: only the kernel's (from nil) is a notification.
constexpr Arrival classify_arrival(axo_thread_id_t from, const uint32_t* mr, uint32_t error_word) {
    axo_msg_tag_t tag = mr[0];
    if (axo_tag_failed(tag)) {
        Arrival a{Arrival::Kind::failed};
        // A failure always has a code; never let a zero word pass for success.
        a.error_word = error_word != 0 ? error_word : (uint32_t{AXO_IPC_INVALID} << 1);
        return a;
    }
    if (axo_ipc_notified(from, tag)) {
        Arrival a{Arrival::Kind::notification};
        a.bits = mr[AXO_NOTIFY_BITS];
        a.after_send = mr[AXO_NOTIFY_PHASE] == AXO_NOTIFY_IN_RECEIVE;
        return a;
    }
    Arrival a{Arrival::Kind::message};
    a.from = from;
    return a;
}

// Calls fn(bit) for every bit set in `bits`, lowest first: one handler per source of events.
template <class Fn> constexpr void for_each_bit(uint32_t bits, Fn fn) {
    for (uint32_t bit = 0; bits != 0; ++bit, bits >>= 1) {
        if (bits & 1u) fn(bit);
    }
}

} // namespace ipc
