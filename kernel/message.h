// A message as the kernel takes it from a sender's message registers: read once, checked,
// and from then on the only copy the kernel uses. Other threads of the sender's space can
// rewrite its UTCB at any time (while it waits in a send queue, or while the kernel is
// preempted in a long map), so nothing the delivery does may read the UTCB again. Pure:
// unit-tested on the host.
#pragma once

#include <stdint.h>

#include "axolotl/abi.h"
#include "kernel/fpage.h"

namespace axo {

struct Message {
    static constexpr uint32_t kMaxWords = AXO_MR_COUNT - 1;

    axo_msg_tag_t tag = 0;
    uint32_t words[kMaxWords]; // MR1..MR(u + t); left uninitialised: filled by take_message

    constexpr uint32_t untyped() const { return axo_tag_untyped(tag); }
    constexpr uint32_t typed() const { return axo_tag_typed(tag); }
    // Never more than kMaxWords for a message take_message accepted.
    constexpr uint32_t word_count() const {
        uint32_t n = untyped() + typed();
        return n < kMaxWords ? n : kMaxWords;
    }
};

// A map or grant item of a message, decoded.
struct MapItem {
    uint32_t hotspot; // word 0 without the type bits
    bool grant;
    Fpage fpage;
};

// Decodes typed item `index` (0, 1, ...) of a message take_message accepted.
constexpr bool decode_item(const Message& message, uint32_t index, MapItem& out) {
    uint32_t at = message.untyped() + 2 * index;
    if (at + 1 >= message.word_count()) return false;
    uint32_t word0 = message.words[at];
    uint32_t type = word0 & AXO_ITEM_TYPE_MASK;
    if (type != AXO_ITEM_MAP && type != AXO_ITEM_GRANT) return false;
    out.hotspot = word0 & ~0x3FFu;
    out.grant = type == AXO_ITEM_GRANT;
    return decode_fpage(message.words[at + 1], out.fpage);
}

// Reads the message in `mr` (MR0 = the tag) into `out`: the tag once, then exactly the words
// that tag names; then checks the copy. AXO_IPC_OK, AXO_IPC_OVERFLOW (u + t > 63) or
// AXO_IPC_INVALID (typed words that are not whole, well-formed map or grant items).
inline uint32_t take_message(const uint32_t* mr, Message& out) {
    // A volatile load: the compiler may not fetch the tag a second time. The words are
    // copied once, by the count checked on that tag; only the copy is used afterwards.
    axo_msg_tag_t tag = *static_cast<const volatile uint32_t*>(mr);
    uint32_t words = axo_tag_untyped(tag) + axo_tag_typed(tag);
    if (words > Message::kMaxWords) return AXO_IPC_OVERFLOW;
    out.tag = tag;
    __builtin_memcpy(out.words, mr + 1, words * sizeof(uint32_t));
    uint32_t typed = axo_tag_typed(tag);
    if (typed % 2 != 0) return AXO_IPC_INVALID;
    for (uint32_t i = 0; i < typed / 2; ++i) {
        MapItem item;
        if (!decode_item(out, i, item)) return AXO_IPC_INVALID;
    }
    return AXO_IPC_OK;
}

} // namespace axo
