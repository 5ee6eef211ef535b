#include "lib/driver/driver.h"
#include "lib/driver/client_gate.h"

#include "rt/rt.h"

#include "interfaces/devices/protocol.h"
#include "interfaces/process/client.h"
#include "lib/ipc/kernel.h"
#include "lib/names/names.h"
#include "lib/text/number.h"

namespace driver {
namespace {

axo_thread_id_t proc_thread() {
    return rt_kip()->root_task;
}

bool same(const char* a, const char* b) {
    for (; *a == *b; ++a, ++b)
        if (*a == '\0') return true;
    return false;
}

} // namespace

ipc::Error claim(Grants& grants) {
    // not_found: a pci= device the pci driver has not reported yet (it scans at boot).
    uint64_t end = rt_clock_us() + kClaimWaitUs;
    for (;;) {
        ipc::Error error = ipc::call(proc_thread(), proc::DeviceClaimRequest{}, grants);
        if (error != ipc::Error::not_found || rt_clock_us() >= end) return error;
        axo_ipc_receive(rt_kip()->sigma0, axo_timeout_us(10000)); // σ0 never sends: a sleep
    }
}

ipc::Error map_ports(uint32_t first, uint32_t last) {
    if (first > last || last > 0xFFFF) return ipc::Error::invalid_argument;
    for (uint32_t port = first; port <= last;) {
        uint32_t log2 = 0;
        while (log2 < 16 && port % (2u << log2) == 0 && port + (2u << log2) - 1 <= last)
            ++log2;
        axo_fpage_t fpage = axo_io_fpage(port, log2);
        ipc::Empty reply;
        if (ipc::Error error = ipc::call_receiving_map(
                proc_thread(), proc::DevicePortsRequest{fpage}, reply, fpage);
            error != ipc::Error::ok)
            return error;
        port += 1u << log2;
    }
    return ipc::Error::ok;
}

ipc::Error map_granted_ports(const Grants& grants) {
    for (uint32_t i = 0; i < grants.port_count && i < 8; ++i)
        if (ipc::Error error = map_ports(grants.ports[i].first, grants.ports[i].last);
            error != ipc::Error::ok)
            return error;
    return ipc::Error::ok;
}

ipc::Error attach_irq(uint32_t line) {
    ipc::Empty reply;
    return ipc::call(proc_thread(), proc::DeviceIrqRequest{line}, reply);
}

ipc::Error map_device_memory(uint32_t physical, uint32_t log2, uint32_t where) {
    ipc::Empty reply;
    return ipc::call_receiving_map(proc_thread(), proc::DeviceMemoryRequest{physical, log2}, reply,
                                   axo_fpage(where, log2, AXO_FPAGE_R | AXO_FPAGE_W));
}

ipc::Error allocate_dma(uint32_t slot, uint32_t log2, uint32_t where, uint32_t& physical) {
    proc::DmaAllocateReply reply{};
    ipc::Error error =
        ipc::call_receiving_map(proc_thread(), proc::DmaAllocateRequest{slot, log2}, reply,
                                axo_fpage(where, log2, AXO_FPAGE_R | AXO_FPAGE_W));
    if (error == ipc::Error::ok) physical = reply.physical;
    return error;
}

ipc::Error status(const char* name, proc::DeviceStatusReply& reply) {
    proc::DeviceStatusRequest request{};
    if (!request.module.set(name)) return ipc::Error::invalid_argument;
    return ipc::call(proc_thread(), request, reply);
}

ipc::Error client_allowed(axo_thread_id_t thread) {
    proc::DeviceClientReply reply{};
    return ipc::call(proc_thread(), proc::DeviceClientRequest{thread}, reply);
}

bool interrupt_line(axo_thread_id_t from, const ipc::Message& message, uint32_t& line) {
    if (message.label() != AXO_LABEL_INTERRUPT || message.untyped() != 0 || message.typed() != 0)
        return false;
    uint32_t number = axo_thread_number(from);
    if (number == 0 || number > AXO_IRQ_LINES || from != axo_irq_thread(number - 1)) return false;
    line = number - 1;
    return true;
}

ipc::Outcome acknowledge(ipc::Message& message) {
    message.set_tag(0, 0, 0);
    return ipc::Outcome::reply;
}

bool acknowledge_line(uint32_t line) {
    axo_my_utcb()->mr[0] = axo_msg_tag(0, 0, 0);
    return !axo_tag_failed(axo_ipc_send(axo_irq_thread(line), AXO_TIMEOUT_ZERO));
}

loader::StartArguments arguments() {
    return loader::start_arguments(rt_entry_state.esp);
}

void exit(int32_t status) {
    ipc::KernelTransport transport;
    ipc::Error error = proc::client::exit(transport, proc_thread(), status);
    rt_printf("%s: exit(%d) returned: %s\n", arguments().argv[0], status, ipc::error_name(error));
    rt_park();
}

bool has_argument(const char* word) {
    loader::StartArguments args = arguments();
    for (uint32_t i = 1; i < args.argc; ++i)
        if (same(args.argv[i], word)) return true;
    return false;
}

const char* argument_value(const char* key) {
    loader::StartArguments args = arguments();
    size_t length = strlen(key);
    for (uint32_t i = 1; i < args.argc; ++i)
        if (strncmp(args.argv[i], key, length) == 0 && args.argv[i][length] == '=')
            return args.argv[i] + length + 1;
    return nullptr;
}

bool parse_number(const char* digits, uint32_t& out) {
    return text::parse_u32(digits, strlen(digits), out);
}

void fail(const char* name, const char* what, ipc::Error error) {
    rt_printf("%s: %s: %s\n", name, what, ipc::error_name(error));
    exit(1);
}

const char* start(Grants& grants) {
    const char* name = arguments().argv[0];
    check(name, "claiming the grants", claim(grants));
    return name;
}

bool register_names(const char* name) {
    check(name, "registering the name", names::register_name(name));
    if (!has_argument("console")) return false;
    check(name, "registering \"console\"", names::register_name("console"));
    return true;
}

// ---- ClientGate -------------------------------------------------------------------------------

ipc::Error ClientGate::check(axo_thread_id_t from, const char* name) {
    if (from == AXO_NIL_THREAD) return ipc::Error::no_permission;
    for (axo_thread_id_t allowed : m_allowed)
        if (allowed == from) return ipc::Error::ok;
    ipc::Error error = client_allowed(from);
    if (error == ipc::Error::ok) {
        m_allowed[m_next] = from;
        m_next = (m_next + 1) % kRemembered;
        return error;
    }
    if (m_refused++ == 0)
        rt_printf("%s: refused thread %u.%u: not a client of this device (%s); further refusals "
                  "are only counted\n",
                  name, axo_thread_number(from), axo_thread_version(from), ipc::error_name(error));
    return ipc::Error::no_permission;
}

} // namespace driver
