// lib/ipc/session.h: attach (a slot per client thread, the same one again), the buffer (its
// address, fpage, zeroed for a new owner, revoked when taken back), a full table (refused, or
// the least recently used slot taken back), dead clients reclaimed (a failed attach reply,
// liveness when a slot is needed, client_gone).
#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "lib/ipc/session.h"

namespace ipc {
namespace {

constexpr uint32_t kLog2 = 12;
constexpr uint32_t kSlots = 3;

struct Host {
    std::vector<uintptr_t> revoked;
    std::set<axo_thread_id_t> dead;

    SessionHost host() {
        SessionHost h;
        h.context = this;
        h.liveness = Liveness{this, [](void* c, axo_thread_id_t t) {
                                  return static_cast<Host*>(c)->dead.count(t) == 0;
                              }};
        h.revoke = [](void* c, uintptr_t address, uint32_t log2) {
            EXPECT_EQ(log2, kLog2);
            static_cast<Host*>(c)->revoked.push_back(address);
        };
        return h;
    }
};

struct Memory {
    alignas(1u << kLog2) uint8_t bytes[kSlots << kLog2];
    uintptr_t base() { return reinterpret_cast<uintptr_t>(bytes); }
};

struct Count {
    uint32_t n;
};

TEST(IpcSession, AttachGivesEachThreadItsOwnSlotAndTheSameAgain) {
    Host host;
    Memory memory;
    Sessions<kSlots, Count> sessions(kLog2, WhenFull::refuse, host.host());
    EXPECT_EQ(sessions.attach(7).error, Error::no_memory); // no buffers yet
    sessions.set_buffers(memory.base());

    auto a = sessions.attach(7);
    ASSERT_EQ(a.error, Error::ok);
    EXPECT_TRUE(a.fresh);
    auto b = sessions.attach(8);
    ASSERT_EQ(b.error, Error::ok);
    EXPECT_NE(a.slot, b.slot);
    sessions.at(a.slot).state.n = 5;
    sessions.buffer(a.slot)[0] = 0xAB;

    auto again = sessions.attach(7);
    ASSERT_EQ(again.error, Error::ok);
    EXPECT_EQ(again.slot, a.slot);
    EXPECT_FALSE(again.fresh);
    EXPECT_EQ(sessions.buffer(a.slot)[0], 0xAB); // contents kept
    EXPECT_EQ(sessions.at(a.slot).state.n, 5u);
    EXPECT_EQ(sessions.count(), 2u);
    EXPECT_TRUE(host.revoked.empty());

    uint32_t slot = 99;
    ASSERT_NE(sessions.find(8, &slot), nullptr);
    EXPECT_EQ(slot, b.slot);
    EXPECT_EQ(sessions.find(9), nullptr);
    EXPECT_EQ(sessions.find(AXO_NIL_THREAD), nullptr);
}

TEST(IpcSession, TheBufferIsTheSlotsPartOfTheServersMemory) {
    Memory memory;
    Sessions<kSlots> sessions(kLog2, WhenFull::refuse);
    sessions.set_buffers(memory.base());
    EXPECT_EQ(sessions.buffer_bytes(), 4096u);
    EXPECT_EQ(sessions.address(2), memory.base() + 2 * 4096);
    EXPECT_EQ(sessions.buffer(1), memory.bytes + 4096);
    axo_fpage_t f = sessions.fpage(1, AXO_FPAGE_R | AXO_FPAGE_W);
    EXPECT_EQ(axo_fpage_log2(f), kLog2);
    EXPECT_EQ(axo_fpage_rights(f), AXO_FPAGE_R | AXO_FPAGE_W);
    EXPECT_EQ(axo_fpage_base(f), static_cast<uint32_t>(memory.base() + 4096));
}

TEST(IpcSession, ABufferIsZeroedForANewOwnerAndRevokedOnRelease) {
    Host host;
    Memory memory;
    Sessions<kSlots> sessions(kLog2, WhenFull::refuse, host.host());
    sessions.set_buffers(memory.base());
    auto a = sessions.attach(7);
    sessions.buffer(a.slot)[100] = 0x55;
    EXPECT_EQ(sessions.release(7), Error::ok);
    ASSERT_EQ(host.revoked.size(), 1u);
    EXPECT_EQ(host.revoked[0], sessions.address(a.slot));
    EXPECT_EQ(sessions.release(7), Error::not_found);
    EXPECT_EQ(sessions.find(7), nullptr);
    auto b = sessions.attach(8);
    EXPECT_EQ(b.slot, a.slot);
    EXPECT_EQ(sessions.buffer(b.slot)[100], 0); // no client sees another's data
}

TEST(IpcSession, AFullTableRefusesOrTakesTheLeastRecentlyUsed) {
    Host host;
    Memory memory;
    Sessions<kSlots> refusing(kLog2, WhenFull::refuse, host.host());
    refusing.set_buffers(memory.base());
    for (axo_thread_id_t t = 1; t <= kSlots; ++t)
        ASSERT_EQ(refusing.attach(t).error, Error::ok);
    EXPECT_EQ(refusing.attach(9).error, Error::no_space);
    EXPECT_EQ(refusing.attach(2).error, Error::ok); // an attached thread still gets its own

    Memory other;
    Sessions<kSlots> taking(kLog2, WhenFull::take_least_recent, host.host());
    taking.set_buffers(other.base());
    uint32_t slot_of_1 = taking.attach(1).slot;
    taking.attach(2);
    taking.attach(3);
    ASSERT_NE(taking.find(1), nullptr); // 1 was used last: 2 is the least recent now
    uint32_t slot_of_2 = 0;
    ASSERT_NE(taking.find(2, &slot_of_2), nullptr);
    ASSERT_NE(taking.find(1), nullptr);
    ASSERT_NE(taking.find(3), nullptr);
    host.revoked.clear();
    auto newcomer = taking.attach(9);
    ASSERT_EQ(newcomer.error, Error::ok);
    EXPECT_EQ(newcomer.slot, slot_of_2);
    EXPECT_NE(newcomer.slot, slot_of_1);
    ASSERT_EQ(host.revoked.size(), 1u); // taken back from its owner
    EXPECT_EQ(host.revoked[0], taking.address(slot_of_2));
    EXPECT_EQ(taking.find(2), nullptr); // its next request: not found
    EXPECT_EQ(taking.taken_back(), 1u);
}

TEST(IpcSession, DeadClientsAreReclaimedWhenTheirSlotIsNeeded) {
    Host host;
    Memory memory;
    Sessions<kSlots> sessions(kLog2, WhenFull::refuse, host.host());
    sessions.set_buffers(memory.base());
    for (axo_thread_id_t t = 1; t <= kSlots; ++t)
        ASSERT_EQ(sessions.attach(t).error, Error::ok);
    uint32_t slot_of_2 = 0;
    ASSERT_NE(sessions.find(2, &slot_of_2), nullptr);
    host.dead.insert(2); // thread 2 died attached; nobody told the server
    EXPECT_EQ(sessions.count(), kSlots);
    auto a = sessions.attach(9);
    ASSERT_EQ(a.error, Error::ok);
    EXPECT_EQ(a.slot, slot_of_2);
    EXPECT_EQ(sessions.reclaimed(), 1u);
    EXPECT_EQ(sessions.find(2), nullptr);
    // A death the server is told of frees the slot at once.
    sessions.client_gone(3);
    EXPECT_EQ(sessions.count(), 2u);
    EXPECT_EQ(sessions.reclaimed(), 2u);
}

TEST(IpcSession, AFailedAttachReplyFreesOnlyAFreshSlot) {
    Host host;
    Memory memory;
    Sessions<kSlots> sessions(kLog2, WhenFull::refuse, host.host());
    sessions.set_buffers(memory.base());
    auto first = sessions.attach(7);
    sessions.attach_failed(first); // the client left before the reply
    EXPECT_EQ(sessions.count(), 0u);
    auto again = sessions.attach(7);
    auto repeat = sessions.attach(7);
    sessions.attach_failed(repeat); // a re-attach that failed keeps the client's slot
    EXPECT_EQ(sessions.count(), 1u);
    EXPECT_NE(sessions.find(7), nullptr);
    EXPECT_EQ(again.slot, repeat.slot);
}

} // namespace
} // namespace ipc
