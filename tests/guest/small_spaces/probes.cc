#include "probes.h"

#include "interfaces/sigma0/protocol.h"
#include "tap.h"

extern "C" const uint8_t small_spaces_probe_image[];
extern "C" const uint8_t small_spaces_probe_image_end[];

namespace ss {

namespace {

// Where σ0's pages land in the root task's space, one after the other.
constexpr uint32_t kPoolBase = 0x20000000;
uint32_t g_next_page = kPoolBase;

uint32_t g_code_alias[PROBE_CODE_MAX_PAGES];
uint32_t g_code_pages;

constexpr uint32_t kMaxProbes = 16;
Probe* g_probes[kMaxProbes];
uint32_t g_next_thread = 40;

Probe* find(axo_thread_id_t id) {
    for (Probe* p : g_probes)
        if (p && p->id == id) return p;
    return nullptr;
}

uint32_t image_size() {
    return static_cast<uint32_t>(small_spaces_probe_image_end - small_spaces_probe_image);
}

// The root task's page that backs `page` in the probe's space, and the rights to give.
uint32_t backing_page(const Probe& p, uint32_t page, uint32_t* rights) {
    *rights = AXO_FPAGE_R | AXO_FPAGE_W;
    if (page >= PROBE_CODE && page < PROBE_CODE + g_code_pages * kPageSize) {
        *rights = AXO_FPAGE_R | AXO_FPAGE_X;
        return g_code_alias[(page - PROBE_CODE) / kPageSize];
    }
    if (page == PROBE_STACK) return p.stack_alias;
    if (page == PROBE_DATA) return p.data_alias;
    if (p.extra_alias != 0 && page == p.extra_address) return p.extra_alias;
    return p.fallback_alias;
}

void reply(Probe& p, const char* what) {
    axo_msg_tag_t tag = axo_ipc_send(p.id, AXO_TIMEOUT_ZERO);
    if (axo_tag_failed(tag))
        diag("probe %s: %s reply failed: error word %x", p.name, what, axo_my_utcb()->error);
}

void page_fault(Probe& p, axo_utcb_t* u) {
    uint32_t address = u->mr[1], ip = u->mr[2];
    uint32_t page = address & ~(kPageSize - 1), rights = 0;
    uint32_t alias = backing_page(p, page, &rights);
    ++p.page_faults;
    if (alias == 0) {
        // Answering without a mapping would only make it fault again.
        diag("probe %s: page fault at %x (ip %x, label %x) outside its layout: left blocked",
             p.name, address, ip, axo_tag_label(u->mr[0]));
        p.stuck = true;
        return;
    }
    u->mr[0] = axo_msg_tag(0, 0, 2);
    u->mr[1] = axo_map_item_word0(page, 0);
    u->mr[2] = axo_fpage(alias, 12, rights);
    reply(p, "page-fault");
}

void exception(Probe& p, axo_utcb_t* u) {
    ++p.exceptions;
    p.vector = u->mr[AXO_EXC_VECTOR];
    p.error = u->mr[AXO_EXC_ERROR];
    p.eip = u->mr[AXO_EXC_EIP];
    p.address = u->mr[AXO_EXC_ADDRESS];
    // Restart at the entry on a fresh stack: the probe reports "started" again.
    u->mr[0] = axo_msg_tag(0, 2, 0);
    u->mr[AXO_EXC_REPLY_EIP] = PROBE_CODE;
    u->mr[AXO_EXC_REPLY_ESP] = p.stack_top;
    reply(p, "exception");
}

void dispatch(axo_thread_id_t from, axo_utcb_t* u) {
    Probe* p = find(from);
    uint32_t label = axo_tag_label(u->mr[0]);
    if (p == nullptr) {
        diag("message with label %x from %u.%u, which is no probe: ignored", label,
             axo_thread_number(from), axo_thread_version(from));
        return;
    }
    if ((label & ~7u) == AXO_LABEL_PAGE_FAULT && axo_tag_untyped(u->mr[0]) == 2) {
        page_fault(*p, u);
    } else if (label == AXO_LABEL_EXCEPTION && axo_tag_untyped(u->mr[0]) == AXO_EXC_WORDS) {
        exception(*p, u);
    } else if (label == PROBE_LABEL_REPORT) {
        p->waiting = true;
        p->status = u->mr[1];
        for (uint32_t i = 0; i < 3; ++i)
            p->value[i] = u->mr[2 + i];
    } else {
        diag("probe %s sent label %x: not understood, left blocked", p->name, label);
        p->stuck = true;
    }
}

} // namespace

uint32_t grab_page() {
    axo_utcb_t* u = axo_my_utcb();
    uint32_t at = g_next_page;
    u->br[0] = axo_fpage(at, 12, AXO_FPAGE_RWX);
    u->mr[0] = axo_msg_tag(sigma0::kSigma0AllocateAny, 1, 0);
    u->mr[1] = 12;
    axo_msg_tag_t tag = axo_ipc_call(
        rt_kip()->sigma0, axo_timeouts(axo_timeout_us(kAwaitUs), axo_timeout_us(kAwaitUs)));
    u->br[0] = AXO_FPAGE_NIL;
    if (axo_tag_failed(tag) || axo_tag_label(tag) != sigma0::kSigma0Ok || axo_tag_typed(tag) != 2) {
        diag("sigma0 gave no page: tag %x, error word %x", tag, u->error);
        return 0;
    }
    g_next_page += kPageSize;
    // σ0's pages are not guaranteed to be zero; the tests rely on known contents.
    memset(reinterpret_cast<void*>(at), 0, kPageSize);
    return at;
}

bool probes_init() {
    uint32_t size = image_size();
    g_code_pages = (size + kPageSize - 1) / kPageSize;
    if (g_code_pages > PROBE_CODE_MAX_PAGES) {
        diag("the probe image has %u bytes, more than %u pages", size, PROBE_CODE_MAX_PAGES);
        return false;
    }
    for (uint32_t i = 0; i < g_code_pages; ++i) {
        g_code_alias[i] = grab_page();
        if (g_code_alias[i] == 0) return false;
        uint32_t n = size - i * kPageSize < kPageSize ? size - i * kPageSize : kPageSize;
        memcpy(reinterpret_cast<void*>(g_code_alias[i]), small_spaces_probe_image + i * kPageSize,
               n);
    }
    return true;
}

namespace {

// thread_control for a probe: in a new space (space = its own id) or in a sibling's.
bool create_thread(Probe& p, axo_thread_id_t space) {
    axo_thread_id_t root = rt_my_id();
    uint32_t error = axo_thread_control(p.id, space, root, root, p.utcb, root);
    if (error != AXO_OK) {
        diag("probe %s: thread_control (UTCB %x) failed: error %u", p.name, p.utcb, error);
        return false;
    }
    p.created = true;
    for (Probe*& slot : g_probes) {
        if (slot == nullptr) {
            slot = &p;
            return true;
        }
    }
    diag("more than %u probes", kMaxProbes);
    return false;
}

} // namespace

bool create(Probe& p, const char* name) {
    p.name = name;
    p.id = axo_thread_id(g_next_thread++, 1);
    p.stack_alias = grab_page();
    p.data_alias = grab_page();
    if (p.stack_alias == 0 || p.data_alias == 0) return false;
    return create_thread(p, p.id);
}

bool create_in(Probe& p, const char* name, const Probe& sibling) {
    p.name = name;
    p.id = axo_thread_id(g_next_thread++, 1);
    p.stack_alias = sibling.stack_alias;
    p.data_alias = sibling.data_alias;
    p.extra_address = sibling.extra_address;
    p.extra_alias = sibling.extra_alias;
    p.fallback_alias = sibling.fallback_alias;
    return create_thread(p, sibling.id);
}

uint32_t space_control(const Probe& p, uint32_t control, uint32_t arg, uint32_t* blocks,
                       uint32_t* slot) {
    uint32_t b = 0xFFFFFFFF, s = 0xFFFFFFFF;
    uint32_t error = axo_space_control(p.id, control, arg, &b, &s);
    if (blocks) *blocks = b;
    if (slot) *slot = s;
    return error;
}

bool start(Probe& p, uint32_t stack_top) {
    p.stack_top = stack_top;
    axo_exreg_t regs = {};
    regs.control = AXO_EXREG_SET_IP | AXO_EXREG_SET_SP | AXO_EXREG_RESUME;
    regs.ip = PROBE_CODE;
    regs.sp = stack_top;
    uint32_t error = axo_exchange_registers(p.id, &regs);
    if (error != AXO_OK) {
        diag("probe %s: exchange_registers (start) failed: error %u", p.name, error);
        return false;
    }
    if (!await(p)) return false;
    if (p.status != PROBE_STARTED) {
        diag("probe %s: first report has status %u", p.name, p.status);
        return false;
    }
    // Touching a page is enough: the page fault maps it.
    for (uint32_t i = 0; i <= g_code_pages; ++i) {
        uint32_t page = i < g_code_pages ? PROBE_CODE + i * kPageSize : PROBE_DATA;
        Access a = access(p, PROBE_READ8, page);
        if (!a.ran || a.faulted) {
            diag("probe %s: touching its page %x failed", p.name, page);
            return false;
        }
    }
    return true;
}

uint32_t destroy(Probe& p) {
    if (!p.created) return AXO_OK;
    uint32_t error =
        axo_thread_control(p.id, AXO_NIL_THREAD, AXO_NIL_THREAD, AXO_NIL_THREAD, 0, AXO_NIL_THREAD);
    p.created = false;
    p.waiting = false;
    for (Probe*& slot : g_probes)
        if (slot == &p) slot = nullptr;
    return error;
}

bool send(Probe& p, const Command& c) {
    if (!p.waiting) {
        diag("probe %s is not waiting for a command", p.name ? p.name : "?");
        return false;
    }
    axo_utcb_t* u = axo_my_utcb();
    bool map = c.map_alias != 0;
    u->mr[0] = axo_msg_tag(PROBE_LABEL_COMMAND, PROBE_COMMAND_WORDS, map ? 2 : 0);
    u->mr[1] = c.op;
    for (uint32_t i = 0; i < 7; ++i)
        u->mr[2 + i] = c.a[i];
    if (map) {
        u->mr[PROBE_COMMAND_WORDS + 1] = axo_map_item_word0(c.map_to, 0);
        u->mr[PROBE_COMMAND_WORDS + 2] = axo_fpage(c.map_alias, 12, c.map_rights);
    }
    axo_msg_tag_t tag = axo_ipc_send(p.id, AXO_TIMEOUT_ZERO);
    if (axo_tag_failed(tag)) {
        diag("probe %s: sending command %u failed: error word %x", p.name, c.op, u->error);
        return false;
    }
    p.waiting = false;
    return true;
}

bool await(Probe& p, uint32_t timeout_us) {
    uint64_t deadline = rt_clock_us() + timeout_us;
    axo_utcb_t* u = axo_my_utcb();
    while (!p.waiting && !p.stuck) {
        uint64_t now = rt_clock_us();
        if (now >= deadline) break;
        uint32_t left = static_cast<uint32_t>(deadline - now);
        axo_thread_id_t from = axo_ipc_receive(AXO_ANY_THREAD, axo_timeout_us(left));
        if (axo_tag_failed(u->mr[0])) {
            if (axo_ipc_error_code(u->error) != AXO_IPC_TIMEOUT)
                diag("receive failed: error word %x", u->error);
            continue;
        }
        dispatch(from, u);
    }
    if (!p.waiting)
        diag("probe %s did not report within %u us%s", p.name, timeout_us,
             p.stuck ? " (stuck on an unresolved fault)" : "");
    return p.waiting;
}

bool run(Probe& p, const Command& c, uint32_t timeout_us) {
    return send(p, c) && await(p, timeout_us);
}

Access access(Probe& p, uint32_t op, uint32_t address, uint32_t value) {
    uint32_t before = p.exceptions;
    Command c = {op, {address, value}};
    bool ran = run(p, c);
    bool faulted = p.exceptions != before;
    return {ran, faulted, faulted ? 0 : p.value[0]};
}

void sleep_us(uint32_t us) {
    axo_ipc_receive(rt_kip()->sigma0, axo_timeout_us(us));
}

const char* vector_name(uint32_t vector) {
    switch (vector) {
    case 12:
        return "#SS";
    case 13:
        return "#GP";
    case 14:
        return "#PF";
    default:
        return "?";
    }
}

} // namespace ss
