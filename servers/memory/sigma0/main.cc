// σ0: the owner of all conventional memory and all I/O ports at boot. It hands them out by
// map items to its clients (protocol.h) and stays unprivileged (README.md).
#include "frame_pool.h"
#include "interfaces/sigma0/protocol.h"
#include "ownership.h"
#include "rt/rt.h"

#include "lib/ipc/map_item.h"
#include "lib/ipc/message.h"

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

struct PrivilegeProbeReply {
    uint32_t create, schedule, shutdown, exchange;
};

void privilege_probe(ipc::Message& message) {
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

    ipc::put(message, kLabelPrivilegeProbe,
             PrivilegeProbeReply{create, schedule, shutdown, exchange});
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

void reply_status(ipc::Message& message, Status status) {
    ipc::put_error(message, static_cast<ipc::Error>(status));
}

// The reply carrying memory: the physical base, then one map item whose send base is the
// physical base too. σ0's fpages name physical memory; the client's window decides where it
// lands.
void reply_memory(ipc::Message& message, uint32_t base, uint32_t log2, uint32_t rights) {
    ipc::put_reply_with_item(message, MemoryReply{base},
                             ipc::MapItem::map(base, axo_fpage(base, log2, rights)));
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

void allocate_any(ipc::Message& message, Owner client, const AllocateAnyRequest& request) {
    uint32_t base = 0;
    Status status = g_frames.allocate(client, request.log2, &base);
    if (status == kSigma0Ok)
        reply_memory(message, base, request.log2, AXO_FPAGE_RWX);
    else
        reply_status(message, status);
}

void map_physical(ipc::Message& message, Owner client, const MapPhysicalRequest& request) {
    axo_fpage_t f = request.fpage;
    if (!valid_memory_fpage(f)) return reply_status(message, kSigma0ErrorBadRequest);
    uint32_t base = axo_fpage_base(f), log2 = axo_fpage_log2(f);
    Status status = g_frames.claim(client, base, log2);
    if (status == kSigma0Ok)
        reply_memory(message, base, log2, axo_fpage_rights(f));
    else
        reply_status(message, status);
}

void map_ports(ipc::Message& message, Owner client, const MapPortsRequest& request) {
    axo_fpage_t f = request.fpage;
    if (!valid_io_fpage(f)) return reply_status(message, kSigma0ErrorBadRequest);
    Status status = g_ports.claim(client, axo_fpage_base(f), axo_fpage_log2(f));
    if (status != kSigma0Ok) return reply_status(message, status);
    // I/O ports are not translated: the send base repeats the fpage's port, as the fpage
    // encodes it, and the kernel gives the receiver exactly these ports.
    ipc::put_reply_with_item(message, ipc::Empty{}, ipc::MapItem::map(f, f));
}

void add_client(ipc::Message& message, axo_thread_id_t from, const AddClientRequest& request) {
    if (from != rt_kip()->root_task) return reply_status(message, kSigma0ErrorNoPermission);
    axo_thread_id_t id = request.thread;
    if (id == AXO_NIL_THREAD || id == AXO_ANY_THREAD)
        return reply_status(message, kSigma0ErrorBadRequest);
    if (g_clients.add(id) == kNobody) return reply_status(message, kSigma0ErrorNoMemory);
    ipc::put_reply(message, ipc::Empty{});
}

// Refused page faults: any thread can send σ0 a message with the page-fault label, so each
// one logged would let any process flood the console. The first few are logged (a real
// misconfigured pager shows up at once), then one line each time the count reaches a power of
// two; all of them are counted in the statistics.
constexpr uint32_t kRefusalsLogged = 8;
uint32_t g_refused_faults;

bool is_power_of_two(uint32_t n) {
    return n != 0 && (n & (n - 1)) == 0;
}

void statistics(ipc::Message& message) {
    ipc::put_reply(message, StatisticsReply{static_cast<uint32_t>(g_frames.free_bytes()),
                                            static_cast<uint32_t>(g_frames.total_bytes()),
                                            g_refused_faults});
}

// σ0 as the pager of its clients' threads (the root task may make σ0 the pager of a thread it
// registered as a client): physical memory appears 1:1 at the fault address, under the same
// rules as kSigma0MapPhysical, so a repeated fault gets the same page again. A fault σ0 may
// not resolve is not answered: the thread stays blocked, which its creator can see, instead
// of faulting forever.
bool page_fault(ipc::Message& message, axo_thread_id_t from, Owner client,
                const ipc::PageFault& fault) {
    uint32_t page = fault.address & ~(FramePool::kPageSize - 1);
    // Nothing is mapped below AXO_LOWEST_MAPPABLE (the kernel would refuse the reply).
    Status status = client == kNobody || page < AXO_LOWEST_MAPPABLE
                        ? kSigma0ErrorNoPermission
                        : g_frames.claim(client, page, FramePool::kPageBits);
    if (status != kSigma0Ok) {
        ++g_refused_faults;
        if (g_refused_faults <= kRefusalsLogged)
            rt_printf("sigma0: page fault of thread %u.%u at %08x (ip %08x) refused: status %u\n",
                      axo_thread_number(from), axo_thread_version(from), fault.address, fault.ip,
                      status);
        else if (is_power_of_two(g_refused_faults))
            rt_printf("sigma0: %u page faults refused so far (logging only every power of two)\n",
                      g_refused_faults);
        return false;
    }
    ipc::put_fault_reply(message, fault.address,
                         axo_fpage(page, FramePool::kPageBits, AXO_FPAGE_RWX));
    return true;
}

// A request of σ0's protocol from a client: its words if it has the request's shape (else
// kSigma0ErrorBadRequest), then the operation.
template <class Request, class Operation>
void serve_request(ipc::Message& message, Operation operation) {
    Request request;
    if (ipc::get(message, request) != ipc::Error::ok)
        return reply_status(message, kSigma0ErrorBadRequest);
    operation(request);
}

// Whether `label` is a request label outside σ0's range: another interface's (or none's, as
// lib/ipc's dispatcher judges it). The kernel's own labels are not requests; σ0 answers those
// it does not handle as malformed.
bool is_other_interface(uint32_t label) {
    return label < AXO_LABEL_EXCEPTION &&
           !(label >= AXO_LABELS_SIGMA0_FIRST && label <= AXO_LABELS_SIGMA0_LAST);
}

// Builds the reply to one request in the message registers; false if there is to be none.
// Who asks is checked before what is asked: a thread that is no client learns nothing else.
bool serve(ipc::Message& message, axo_thread_id_t from) {
    uint32_t label = message.label();
    Owner client = g_clients.find(from);
    if (label == kLabelPrivilegeProbe) {
        privilege_probe(message);
        return true;
    }
    if (ipc::PageFault fault; ipc::get_page_fault(message, fault))
        return page_fault(message, from, client, fault);

    bool known = label >= kSigma0AllocateAny && label <= kSigma0Statistics;
    if (is_other_interface(label)) {
        // Sent to the wrong server: never taken for one of σ0's operations, and told apart
        // from a malformed request of σ0's own protocol (interfaces/README.md "Labels").
        ipc::put_error(message, ipc::Error::wrong_interface);
    } else if (!known) {
        reply_status(message, kSigma0ErrorBadRequest);
    } else if (client == kNobody) {
        reply_status(message, kSigma0ErrorNoPermission);
    } else {
        switch (label) {
        case kSigma0AllocateAny:
            serve_request<AllocateAnyRequest>(
                message, [&](const AllocateAnyRequest& r) { allocate_any(message, client, r); });
            break;
        case kSigma0MapPhysical:
            serve_request<MapPhysicalRequest>(
                message, [&](const MapPhysicalRequest& r) { map_physical(message, client, r); });
            break;
        case kSigma0MapPorts:
            serve_request<MapPortsRequest>(
                message, [&](const MapPortsRequest& r) { map_ports(message, client, r); });
            break;
        case kSigma0AddClient:
            serve_request<AddClientRequest>(
                message, [&](const AddClientRequest& r) { add_client(message, from, r); });
            break;
        default:
            serve_request<StatisticsRequest>(
                message, [&](const StatisticsRequest&) { statistics(message); });
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
    ipc::Message message(utcb->mr);
    // σ0 accepts no mappings: everything it gives away it has from the start.
    utcb->br[0] = AXO_FPAGE_NIL;
    axo_thread_id_t from = axo_ipc_receive(AXO_ANY_THREAD, AXO_TIMEOUT_NEVER);
    for (;;) {
        if (axo_tag_failed(utcb->mr[0]) || !serve(message, from)) {
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
