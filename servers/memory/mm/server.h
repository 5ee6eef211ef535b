// mm on the kernel: the receive loop, page-fault replies with map items, forwarding to external
// pagers (their answers land in mm's receive window), the outbox (deferred fault answers, notices),
// frames from σ0 and flushes by unmap. The decisions are the MemoryManager's (memory_manager.h);
// this is the part that makes system calls, so it runs on the target only.
#pragma once

#include <stdint.h>

#include "lib/ipc/dispatcher.h"
#include "servers/memory/mm/memory_manager.h"

namespace mm {

// mm's own address space: its image at 0x00400000 and its stack and UTCB below 3 GiB
// (lib/loader), and two ranges of its own:
constexpr uint32_t kFrameArea = 0x40000000u; // frames from σ0, one after the other
constexpr uint32_t kFrameAreaFrames = FramePool::kMaxFrames;
constexpr uint32_t kLandingArea = 0x80000000u; // where external pagers' pages land
constexpr uint32_t kLandingAreaSize = 0x20000000u;

class Server {
public:
    Server();
    // Sets up the frame pool and the MemoryManager (no IPC yet).
    void init();
    [[noreturn]] void run();

    MemoryManager& manager() { return m_manager; }

private:
    // Turns the message in the UTCB (from `from`) into its answer there; false: no answer.
    bool handle(axo_thread_id_t from);
    // Prepares the reply to a fault in the UTCB; false if there is none (now).
    bool answer_fault(const FaultAnswer& answer);
    bool prepare(const Deferred& work);
    void undelivered(const Deferred& work);
    bool drain_outbox(Deferred& last);
    axo_timeout_t receive_timeout();

    FramePool m_frames;
    MemoryManager m_manager;
    ipc::Dispatcher<MemoryManager> m_dispatcher;
};

} // namespace mm
