// Messages that carry one typed item (axolotl/abi.h, "Typed items"): a map or a grant of an
// fpage, after the untyped words of the request or reply struct —
//
//   request: label = the operation, u = the request struct's words, t = 2 (one item)
//   reply:   label = Error::ok, u = the reply struct's words, t = 2; errors as always (no item)
//
// and the answer to a page fault (label 0, u = 0, one map item), which every pager writes
// (mm, proc's image pager, lib/loader, σ0). Layout only, no system calls: tested on the host
// (tests/unit/ipc_map_item_test.cc). The calls that send them are in client.h
// (call_with_item, call_receiving_item) and kernel.h (send_reply_with_map).
#pragma once

#include <stdint.h>

#include "axolotl/abi.h"
#include "lib/ipc/message.h"

namespace ipc {

// Typed words one item takes.
inline constexpr uint32_t kItemWords = 2;

// A struct that leaves room for an item's words in the message registers: without it, the
// item would be read from (or written to) beyond MR63.
template <class T>
concept ItemCarrier = WireLayout<T> && wire_words<T>
+ kItemWords <= kMaxWords;

struct MapItem {
    // The "hotspot": where in a larger receive window the pages land (bits 31..10 count).
    uint32_t send_base = 0;
    // An fpage of the sender's space, with the rights it gives.
    axo_fpage_t fpage = AXO_FPAGE_NIL;
    // Grant moves the pages (the sender loses them); map shares them.
    bool grant = false;

    static MapItem map(uint32_t send_base, axo_fpage_t fpage) { return {send_base, fpage, false}; }
    static MapItem grant_of(uint32_t send_base, axo_fpage_t fpage) {
        return {send_base, fpage, true};
    }
};

// Writes `value` as the words, then the item; the tag: label, its word count, one item.
template <ItemCarrier T>
void put_with_item(Message& message, uint32_t label, const T& value, const MapItem& item) {
    put(message, label, value);
    uint32_t n = wire_words<T>;
    message.set_word(n, axo_map_item_word0(item.send_base, item.grant ? 1 : 0));
    message.set_word(n + 1, item.fpage);
    message.set_tag(label, n, kItemWords);
}
template <ItemCarrier T>
void put_reply_with_item(Message& message, const T& reply, const MapItem& item) {
    put_with_item(message, static_cast<uint32_t>(Error::ok), reply, item);
}

// Reads T's words and the item if the message has exactly that shape: T's word count, one
// item of type map or grant. Anything else is bad_message, and nothing is written.
template <ItemCarrier T> Error get_with_item(const Message& message, T& out, MapItem& item) {
    if (message.untyped() != wire_words<T> || message.typed() != kItemWords)
        return Error::bad_message;
    uint32_t word0 = message.word(wire_words<T>);
    uint32_t type = word0 & AXO_ITEM_TYPE_MASK;
    if (type != AXO_ITEM_MAP && type != AXO_ITEM_GRANT) return Error::bad_message;
    if constexpr (wire_words < T >> 0) __builtin_memcpy(&out, message.words(), sizeof(T));
    item = MapItem{word0 & ~0x3FFu, message.word(wire_words<T> + 1), type == AXO_ITEM_GRANT};
    return Error::ok;
}

// The client's reading of a reply that carries an item: the server's error (no item), or the
// reply and its item, or bad_message for an ok reply of another shape.
template <ItemCarrier T> Error get_reply_with_item(const Message& message, T& out, MapItem& item) {
    if (message.label() != static_cast<uint32_t>(Error::ok)) {
        T ignored;
        return get_reply(message, ignored);
    }
    return get_with_item(message, out, item);
}

// ---- Page faults -----------------------------------------------------------------------------

// A page fault as the kernel sends it on the faulting thread's behalf (axolotl/abi.h).
struct PageFault {
    uint32_t address; // the faulting linear address
    uint32_t ip;      // the faulting instruction
    uint32_t access;  // AXO_FPAGE_R / W / X bits: what the access wanted
    bool write() const { return (access & AXO_FPAGE_W) != 0; }
};

inline bool is_page_fault(const Message& message) {
    return (message.label() & ~AXO_FPAGE_RWX) == AXO_LABEL_PAGE_FAULT && message.untyped() == 2 &&
           message.typed() == 0;
}
// False (and `fault` untouched) for anything but a page fault of the kernel's shape.
inline bool get_page_fault(const Message& message, PageFault& fault) {
    if (!is_page_fault(message)) return false;
    fault = PageFault{message.word(0), message.word(1), message.label() & AXO_FPAGE_RWX};
    return true;
}

// The answer that resolves a fault: `fpage` of the pager's space (with the rights to give)
// mapped where the faulting thread's window (its whole space) puts `send_base` — the faulting
// page's address, for a pager that maps page by page. Label 0, no words, one map item.
inline void put_fault_reply(Message& message, uint32_t send_base, axo_fpage_t fpage) {
    put_with_item(message, static_cast<uint32_t>(Error::ok), Empty{},
                  MapItem::map(send_base, fpage));
}

} // namespace ipc
