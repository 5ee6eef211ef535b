// σ0: the owner of all conventional memory and all I/O ports at boot. It hands them out by
// map items to its clients (protocol.h) and stays unprivileged (README.md).
#include "frame_pool.h"
#include "ownership.h"
#include "interfaces/sigma0/protocol.h"
#include "rt/rt.h"

namespace {

using namespace sigma0;

// Test hook, harmless: answers label 0x5A with the error codes of privileged calls that σ0,
// which is not privileged, is not allowed to make (tests/guest/kernel_ipc checks they are all
// AXO_ERR_NO_PRIVILEGE). Each attempt is chosen so that it would do no damage even if the
// kernel wrongly allowed it, except debug_shutdown, which would end the run — loudly, as a
// test failure should.
constexpr uint32_t kLabelPrivilegeProbe = 0x5A;

// Where σ0 would put a thread it is not allowed to create.
constexpr uint32_t kProbeThreadNumber = 1000;
constexpr uint32_t kProbeUtcb = 0xB0000000u;

void privilege_probe(axo_utcb_t* utcb) {
    axo_thread_id_t self = rt_my_id();
    axo_thread_id_t root = rt_kip()->root_task;

    uint32_t create = axo_thread_control(axo_thread_id(kProbeThreadNumber, 1), self, self,
                                         AXO_NIL_THREAD, kProbeUtcb, AXO_NIL_THREAD);
    // Keep the priority and the time slice: a no-op even if it were allowed.
    uint32_t schedule = axo_schedule(root, 0xFFFFFFFFu, 0, nullptr, nullptr);
    uint32_t shutdown = axo_debug_shutdown(1);
    // A thread of another space, with nothing to change: only reads state if allowed.
    axo_exreg_t regs = {};
    uint32_t exchange = axo_exchange_registers(root, &regs);

    utcb->mr[0] = axo_msg_tag(kLabelPrivilegeProbe, 4, 0);
    utcb->mr[1] = create;
    utcb->mr[2] = schedule;
    utcb->mr[3] = shutdown;
    utcb->mr[4] = exchange;
}

// Everything σ0 owns. In .bss: no constructor runs, the zero state is the empty state.
FramePool g_frames;
PortTable g_ports;
ClientTable g_clients;

// The ports of the devices the kernel drives itself: the 8259A interrupt controllers and the
// 8254 timer. The kernel never lets σ0 map them (kernel/physical_memory.cc,
// sigma0_may_map_port) and would skip them in a map item; σ0 refuses them instead of
// answering "ok" with nothing mapped.
struct PortRange {
    uint32_t first, last;
};
constexpr PortRange kPicMaster = {0x20, 0x21};
constexpr PortRange kPicSlave = {0xA0, 0xA1};
constexpr PortRange kPit = {0x40, 0x43};
constexpr PortRange kKernelPorts[] = {kPicMaster, kPicSlave, kPit};

// The flexpage fields the ABI leaves zero: a request that sets them is malformed.
constexpr uint32_t kMemoryFpageReserved = 0xC00u | AXO_FPAGE_IO_BIT;
constexpr uint32_t kIoFpageReserved = 0xFC00u | AXO_FPAGE_RWX;
constexpr uint32_t kMaxIoLog2 = 16;

void reply_status(axo_utcb_t* utcb, Status status) {
    utcb->mr[0] = axo_msg_tag(status, 0, 0);
}

// The reply carrying memory: MR1 = the physical base, then one map item whose send base is
// the physical base too. σ0's fpages name physical memory; the client's window decides where
// it lands.
void reply_memory(axo_utcb_t* utcb, uint32_t base, uint32_t log2, uint32_t rights) {
    utcb->mr[0] = axo_msg_tag(kSigma0Ok, 1, 2);
    utcb->mr[1] = base;
    utcb->mr[2] = axo_map_item_word0(base, 0);
    utcb->mr[3] = axo_fpage(base, log2, rights);
}

bool valid_memory_fpage(axo_fpage_t f) {
    uint32_t log2 = axo_fpage_log2(f);
    if ((f & kMemoryFpageReserved) != 0 || axo_fpage_rights(f) == 0) return false;
    if (log2 < FramePool::kPageBits || log2 > 32) return false;
    return log2 == 32 ? axo_fpage_base(f) == 0 : (axo_fpage_base(f) & ((1u << log2) - 1)) == 0;
}

bool valid_io_fpage(axo_fpage_t f) {
    uint32_t log2 = axo_fpage_log2(f);
    if (!axo_fpage_is_io(f) || (f & kIoFpageReserved) != 0 || log2 > kMaxIoLog2) return false;
    return (axo_fpage_base(f) & ((1u << log2) - 1)) == 0;
}

void allocate_any(axo_utcb_t* utcb, Owner client) {
    uint32_t log2 = utcb->mr[1];
    uint32_t base = 0;
    Status status = g_frames.allocate(client, log2, &base);
    if (status == kSigma0Ok)
        reply_memory(utcb, base, log2, AXO_FPAGE_RWX);
    else
        reply_status(utcb, status);
}

void map_physical(axo_utcb_t* utcb, Owner client) {
    axo_fpage_t f = utcb->mr[1];
    if (!valid_memory_fpage(f)) return reply_status(utcb, kSigma0ErrorBadRequest);
    uint32_t base = axo_fpage_base(f), log2 = axo_fpage_log2(f);
    Status status = g_frames.claim(client, base, log2);
    if (status == kSigma0Ok)
        reply_memory(utcb, base, log2, axo_fpage_rights(f));
    else
        reply_status(utcb, status);
}

void map_ports(axo_utcb_t* utcb, Owner client) {
    axo_fpage_t f = utcb->mr[1];
    if (!valid_io_fpage(f)) return reply_status(utcb, kSigma0ErrorBadRequest);
    Status status = g_ports.claim(client, axo_fpage_base(f), axo_fpage_log2(f));
    if (status != kSigma0Ok) return reply_status(utcb, status);
    // I/O ports are not translated: the send base repeats the fpage's port, as the fpage
    // encodes it, and the kernel gives the receiver exactly these ports.
    utcb->mr[0] = axo_msg_tag(kSigma0Ok, 0, 2);
    utcb->mr[1] = axo_map_item_word0(f, 0);
    utcb->mr[2] = f;
}

void add_client(axo_utcb_t* utcb, axo_thread_id_t from) {
    if (from != rt_kip()->root_task) return reply_status(utcb, kSigma0ErrorNoPermission);
    axo_thread_id_t id = utcb->mr[1];
    if (id == AXO_NIL_THREAD || id == AXO_ANY_THREAD)
        return reply_status(utcb, kSigma0ErrorBadRequest);
    reply_status(utcb, g_clients.add(id) != kNobody ? kSigma0Ok : kSigma0ErrorNoMemory);
}

void statistics(axo_utcb_t* utcb) {
    utcb->mr[0] = axo_msg_tag(kSigma0Ok, 2, 0);
    utcb->mr[1] = static_cast<uint32_t>(g_frames.free_bytes());
    utcb->mr[2] = static_cast<uint32_t>(g_frames.total_bytes());
}

// σ0 as the pager of its clients' threads (the root task may make σ0 the pager of a thread it
// registered as a client): physical memory appears 1:1 at the fault address, under the same
// rules as kSigma0MapPhysical, so a repeated fault gets the same page again. A fault σ0 may
// not resolve is not answered: the thread stays blocked, which its creator can see, instead
// of faulting forever.
bool page_fault(axo_utcb_t* utcb, axo_thread_id_t from, Owner client) {
    uint32_t address = utcb->mr[1];
    uint32_t page = address & ~(FramePool::kPageSize - 1);
    Status status = client != kNobody ? g_frames.claim(client, page, FramePool::kPageBits)
                                      : kSigma0ErrorNoPermission;
    if (status != kSigma0Ok) {
        rt_printf("sigma0: page fault of thread %u.%u at %08x (ip %08x) refused: status %u\n",
                  axo_thread_number(from), axo_thread_version(from), address, utcb->mr[2], status);
        return false;
    }
    utcb->mr[0] = axo_msg_tag(0, 0, 2);
    utcb->mr[1] = axo_map_item_word0(address, 0);
    utcb->mr[2] = axo_fpage(page, FramePool::kPageBits, AXO_FPAGE_RWX);
    return true;
}

// Builds the reply to one request in the UTCB; false if there is to be none.
bool serve(axo_utcb_t* utcb, axo_thread_id_t from) {
    axo_msg_tag_t tag = utcb->mr[0];
    uint32_t label = axo_tag_label(tag);
    Owner client = g_clients.find(from);
    if (label == kLabelPrivilegeProbe) {
        privilege_probe(utcb);
        return true;
    }
    if ((label & ~AXO_FPAGE_RWX) == AXO_LABEL_PAGE_FAULT && axo_tag_untyped(tag) == 2 &&
        axo_tag_typed(tag) == 0)
        return page_fault(utcb, from, client);

    uint32_t words = label == kSigma0Statistics ? 0 : 1;
    bool known = label >= kSigma0AllocateAny && label <= kSigma0Statistics;
    if (!known) {
        reply_status(utcb, kSigma0ErrorBadRequest);
    } else if (client == kNobody) {
        reply_status(utcb, kSigma0ErrorNoPermission);
    } else if (axo_tag_untyped(tag) != words || axo_tag_typed(tag) != 0) {
        reply_status(utcb, kSigma0ErrorBadRequest);
    } else {
        switch (label) {
        case kSigma0AllocateAny:
            allocate_any(utcb, client);
            break;
        case kSigma0MapPhysical:
            map_physical(utcb, client);
            break;
        case kSigma0MapPorts:
            map_ports(utcb, client);
            break;
        case kSigma0AddClient:
            add_client(utcb, from);
            break;
        default:
            statistics(utcb);
            break;
        }
    }
    return true;
}

} // namespace

int main() {
    rt_printf("sigma0: up\n");
    const axo_kip_t* kip = rt_kip();
    g_frames.init(kip->memory, kip->memory_count);
    g_clients.add(kip->root_task);
    for (const PortRange& range : kKernelPorts)
        g_ports.keep(range.first, range.last);
    rt_printf("sigma0: %u KiB of conventional memory, %u KiB above %u MiB not managed\n",
              static_cast<uint32_t>(g_frames.total_bytes() >> 10),
              static_cast<uint32_t>(g_frames.ignored_bytes() >> 10),
              static_cast<uint32_t>(FramePool::kManagedBytes >> 20));

    axo_utcb_t* utcb = axo_my_utcb();
    // σ0 accepts no mappings: everything it gives away it has from the start.
    utcb->br[0] = AXO_FPAGE_NIL;
    axo_thread_id_t from = axo_ipc_receive(AXO_ANY_THREAD, AXO_TIMEOUT_NEVER);
    for (;;) {
        if (axo_tag_failed(utcb->mr[0]) || !serve(utcb, from)) {
            // The receive failed, or the reply did (the client went away), or the request
            // gets no answer: wait for the next one.
            from = axo_ipc_receive(AXO_ANY_THREAD, AXO_TIMEOUT_NEVER);
            continue;
        }
        // Zero send timeout: a client that does not wait for its answer loses it (what it
        // was given stays its own: asking again returns it).
        from = axo_ipc_reply_wait(from, AXO_TIMEOUT_NEVER);
    }
}
