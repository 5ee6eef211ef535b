// lib/ipc's dispatcher on arbitrary message registers, routed to mm's real request handlers
// (servers/memory/mm/routes.h, the table the server uses). Whatever a client sends,
// the reply has the conventional shape: an error label with no words, or Error::ok with
// exactly the words of the handler's reply, never a typed item, never a transport error.
#include <new>
#include <string.h>

#include "lib/ipc/dispatcher.h"
#include "servers/memory/mm/memory_manager.h"
#include "servers/memory/mm/routes.h"
#include "tests/fuzz/fuzz_input.h"

namespace mm {
namespace {

// Reply words of each route's request, in kRoutes' order.
constexpr uint32_t kReplyWords[] = {
    ipc::wire_words<ipc::Empty>,        ipc::wire_words<ipc::Empty>,
    ipc::wire_words<RegionCreateReply>, ipc::wire_words<SbrkReply>,
    ipc::wire_words<ipc::Empty>,        ipc::wire_words<ipc::Empty>,
    ipc::wire_words<DuplicateReply>,    ipc::wire_words<ipc::Empty>,
    ipc::wire_words<StatisticsReply>,   ipc::wire_words<FaultStateReply>,
    ipc::wire_words<ipc::Empty>,        ipc::wire_words<FaultNotice>,
    ipc::wire_words<ObjectCreateReply>, ipc::wire_words<ipc::Empty>,
    ipc::wire_words<ipc::Empty>,        ipc::wire_words<ipc::Empty>,
    ipc::wire_words<PagerRebindReply>,  ipc::wire_words<ipc::Empty>,
};
static_assert(sizeof kReplyWords / sizeof kReplyWords[0] == sizeof kRoutes / sizeof kRoutes[0]);

constexpr uint32_t kArea = 0x40000000u;
constexpr uint32_t kFrames = 32;
const axo_thread_id_t kRoot = axo_thread_id(33, 1);

bool grow(void*, uint32_t, uint32_t*, uint32_t*) {
    return false;
}
void flush(void*, uint32_t, bool) {}
void sync(void*) {}

} // namespace
} // namespace mm

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace mm;
    static uint8_t bytes[kFrames * kPageSize];
    static FramePool* pool = new FramePool;
    static MemoryManager* manager = new MemoryManager;
    *pool = FramePool{};
    pool->init(kArea, bytes, kFrames, FrameSource{&grow, nullptr});
    manager->~MemoryManager();
    new (manager) MemoryManager;
    manager->init(pool, Flusher{&flush, &sync, nullptr}, kRoot, 0x80000000u, 0x01000000u);
    ipc::Dispatcher<MemoryManager> dispatcher(*manager, kRoutes);

    fuzz::Input in(data, size);
    uint32_t sent = 0;
    while (!in.empty() && sent < 64) {
        uint32_t registers[AXO_MR_COUNT];
        // The sender: the root task, or one of a few other threads.
        uint8_t who = in.u8();
        axo_thread_id_t from = who < 128 ? kRoot : axo_thread_id(40 + who % 16, 1 + (who >> 6 & 1));
        // The tag: mostly a routed label (else anything), any word and item counts.
        uint8_t pick = in.u8();
        uint32_t route = pick % (sizeof kRoutes / sizeof kRoutes[0]);
        uint32_t label = pick < 200 ? kRoutes[route].label : in.u16();
        registers[0] = axo_msg_tag(label, in.u8(), in.u8());
        if (in.u8() & 1) registers[0] |= in.u16() & 0xFFFFu; // raw low bits, flags included
        uint32_t words = in.u8() % AXO_MR_COUNT;
        for (uint32_t i = 1; i < AXO_MR_COUNT; ++i)
            registers[i] = i <= words ? in.u32() : 0xDEAD0000u + i;
        ipc::Message message(registers);
        uint32_t routed = ~0u;
        uint32_t request_label = message.label();
        for (uint32_t i = 0; i < sizeof kRoutes / sizeof kRoutes[0]; ++i)
            if (kRoutes[i].label == request_label) routed = i;

        ipc::Outcome outcome = dispatcher.dispatch(from, message);
        ++sent;
        FUZZ_CHECK(dispatcher.stats().messages == sent);
        Deferred work;
        while (manager->take_deferred(work)) {
        }
        if (outcome == ipc::Outcome::no_reply) {
            // Only a kernel label without a handler, or a deferred request (a fault wait).
            FUZZ_CHECK(message.label() >= AXO_LABEL_EXCEPTION || routed != ~0u);
            continue;
        }
        FUZZ_CHECK(message.typed() == 0);
        FUZZ_CHECK(!message.failed());
        if (message.label() == static_cast<uint32_t>(ipc::Error::ok)) {
            FUZZ_CHECK(routed != ~0u);
            FUZZ_CHECK(message.untyped() == kReplyWords[routed]);
        } else {
            FUZZ_CHECK(message.untyped() == 0);
            FUZZ_CHECK(!ipc::is_transport_error(static_cast<ipc::Error>(message.label())));
            // An unknown label of mm's own interface is a bad operation; any other interface's
            // label went to the wrong server (interfaces/labels.h).
            bool mm_range =
                request_label >= AXO_LABELS_MM_FIRST && request_label <= AXO_LABELS_MM_LAST;
            if (routed == ~0u)
                FUZZ_CHECK(message.label() ==
                           static_cast<uint32_t>(mm_range ? ipc::Error::bad_operation
                                                          : ipc::Error::wrong_interface));
        }
    }
    return 0;
}
