// σ0's protocol (interfaces/sigma0/protocol.h) as the root task and other threads see
// it: memory and ports by map items into the caller's window, physical addresses, idempotent
// requests, pages never given to two clients, errors for everyone else and for bad requests,
// and σ0 as the pager of a client's thread.
#include "interfaces/mm/protocol.h"
#include "interfaces/process/protocol.h"
#include "memory_harness.h"
#include "tests.h"

namespace kt {
namespace {

using namespace sigma0;

constexpr uint32_t kVgaText = 0xB8000;      // device memory: the VGA text buffer
constexpr uint32_t kVgaProbeOffset = 0xF00; // a cell near the end of the first screen
constexpr uint32_t kElfMagic = 0x464C457F;  // "\x7fELF"

bool touches(uint32_t type, uint64_t first, uint64_t last) {
    const axo_kip_t* kip = rt_kip();
    for (uint32_t i = 0; i < kip->memory_count; ++i) {
        const axo_kip_memory_t& d = kip->memory[i];
        if (d.type == type && d.size != 0 && d.base < last && uint64_t{d.base} + d.size > first)
            return true;
    }
    return false;
}

// σ0's own memory: conventional, and no other descriptor touches it.
bool sigma0_owns(uint32_t base, uint32_t size) {
    const axo_kip_t* kip = rt_kip();
    uint64_t first = base, last = first + size;
    bool inside = false;
    for (uint32_t i = 0; i < kip->memory_count; ++i) {
        const axo_kip_memory_t& d = kip->memory[i];
        if (d.type == AXO_MEMORY_CONVENTIONAL && d.base <= first &&
            uint64_t{d.base} + d.size >= last)
            inside = true;
    }
    return inside && !touches(AXO_MEMORY_KERNEL, first, last) &&
           !touches(AXO_MEMORY_BOOT_MODULE, first, last) &&
           !touches(AXO_MEMORY_RESERVED, first, last);
}

uint64_t conventional_bytes() {
    const axo_kip_t* kip = rt_kip();
    uint64_t total = 0;
    for (uint32_t i = 0; i < kip->memory_count; ++i)
        if (kip->memory[i].type == AXO_MEMORY_CONVENTIONAL) total += kip->memory[i].size;
    return total;
}

bool statistics(uint32_t* free, uint32_t* total, uint32_t* refused_faults = nullptr) {
    Sigma0Reply r = sigma0_call(kSigma0Statistics, 0, nullptr, AXO_FPAGE_NIL);
    *free = r.mr[1];
    *total = r.mr[2];
    if (refused_faults != nullptr) *refused_faults = r.mr[3];
    return r.status == kSigma0Ok && axo_tag_untyped(r.tag) == 3;
}

void kip_memory() {
    const axo_kip_t* kip = rt_kip();
    bool sane = kip->memory_count > 0 && kip->memory_count <= AXO_KIP_MAX_MEMORY;
    uint32_t modules = 0;
    for (uint32_t i = 0; sane && i < kip->memory_count; ++i) {
        const axo_kip_memory_t& d = kip->memory[i];
        sane = d.type >= AXO_MEMORY_CONVENTIONAL && d.type <= AXO_MEMORY_BOOT_MODULE &&
               uint64_t{d.base} + d.size <= (uint64_t{1} << 32);
        if (d.type == AXO_MEMORY_CONVENTIONAL)
            sane = sane && !touches(AXO_MEMORY_KERNEL, d.base, uint64_t{d.base} + d.size);
        if (d.type == AXO_MEMORY_BOOT_MODULE) ++modules;
    }
    bool listed = true;
    for (uint32_t m = 0; m < kip->module_count; ++m) {
        const axo_kip_module_t& module = kip->modules[m];
        listed =
            listed && touches(AXO_MEMORY_BOOT_MODULE, module.start, module.start + module.size);
    }
    check(sane && conventional_bytes() > 0 && modules == kip->module_count && listed,
          "the KIP's memory descriptors: conventional memory, none of it the kernel's, and one "
          "descriptor per boot module (%u descriptors, %u modules)",
          kip->memory_count, modules);
}

void allocation() {
    uint32_t free0 = 0, total = 0;
    bool stats = statistics(&free0, &total);
    uint64_t conventional = conventional_bytes();
    check(stats && total > 0 && free0 <= total && total <= conventional,
          "sigma0 statistics: %u KiB free of %u KiB, within the KIP's %u KiB of conventional "
          "memory",
          free0 >> 10, total >> 10, static_cast<uint32_t>(conventional >> 10));

    uint32_t where = window(12), size_log2 = 12;
    Sigma0Reply r =
        sigma0_call(kSigma0AllocateAny, 1, &size_log2, axo_fpage(where, 12, AXO_FPAGE_RWX));
    uint32_t physical = r.mr[1];
    check(r.status == kSigma0Ok && axo_tag_untyped(r.tag) == 1 && axo_tag_typed(r.tag) == 2 &&
              physical % kPage == 0 && sigma0_owns(physical, kPage),
          "kSigma0AllocateAny 2^12: ok, the physical address of a page of sigma0's conventional "
          "memory in MR1 and one map item (status %x, tag %x, %x)",
          r.status, r.tag, physical);
    check(r.mr[2] == axo_map_item_word0(physical, 0) &&
              r.mr[3] == axo_fpage(physical, 12, AXO_FPAGE_RWX),
          "the map item sends the physical page itself, rwx (words %x %x)", r.mr[2], r.mr[3]);
    uint32_t value = 0;
    bool wrote = try_write(where, 0x51600001) && try_write(where + kPage - 4, 0x51600002);
    bool read = try_read(where + kPage - 4, &value) && value == 0x51600002;
    check(wrote && read, "the page is mapped at the receive window, writable and readable");

    uint32_t free1 = 0;
    statistics(&free1, &total);
    check(free0 - free1 == kPage, "the statistics count the page as given (%u bytes less free)",
          free0 - free1);

    uint32_t second = 0;
    uint32_t second_window = sigma0_memory(12, &second);
    check(second_window != 0 && second != physical && sigma0_owns(second, kPage),
          "a second kSigma0AllocateAny gives another page (%x, first %x)", second, physical);

    // Asking for a page one holds: the same page again, wherever the window is.
    uint32_t again = window(12);
    axo_fpage_t fpage = axo_fpage(physical, 12, AXO_FPAGE_R | AXO_FPAGE_W);
    r = sigma0_call(kSigma0MapPhysical, 1, &fpage, axo_fpage(again, 12, AXO_FPAGE_RWX));
    uint32_t seen = 0;
    bool read_again = try_read(again, &seen);
    check(r.status == kSigma0Ok && r.mr[1] == physical && read_again && seen == 0x51600001,
          "kSigma0MapPhysical of a page the client holds is idempotent: the same page, with "
          "the same data, at a second window (status %x, word %x)",
          r.status, seen);
    bool shared =
        try_write(again + 8, 0x51600003) && try_read(where + 8, &seen) && seen == 0x51600003;
    uint32_t free2 = 0;
    statistics(&free2, &total);
    check(shared && free2 == free1 - kPage,
          "both windows are one frame, and asking again took nothing from the free memory");

    constexpr uint32_t kBlocks[] = {16, 22};
    for (uint32_t log2 : kBlocks) {
        uint32_t base = 0;
        uint32_t block = sigma0_memory(log2, &base);
        uint32_t size = 1u << log2;
        bool usable = block != 0 && try_write(block, log2) && try_write(block + size - 4, log2) &&
                      try_read(block + size - 4, &seen) && seen == log2;
        check(block != 0 && base % size == 0 && sigma0_owns(base, size) && usable,
              "kSigma0AllocateAny 2^%u: naturally aligned conventional memory (%x), all of it "
              "mapped at the window",
              log2, base);
    }
}

// The root task flushes its own mapping of a page; σ0 gives the same page back, data and all.
void given_back() {
    uint32_t physical = 0;
    uint32_t where = sigma0_memory(12, &physical);
    bool filled = where && try_write(where, 0x6B4C0001);
    utcb()->mr[0] = axo_fpage(where, 12, AXO_FPAGE_W);
    uint32_t error = axo_unmap(AXO_UNMAP_FLUSH_OWN);
    uint32_t value = 0;
    bool read = try_read(where, &value);
    bool wrote = try_write(where, 0xBAD);
    ProbeFault pf = last_probe_fault();
    check(filled && error == AXO_OK && read && value == 0x6B4C0001 && !wrote && pf.vector == 14 &&
              (pf.error & 2) != 0,
          "unmap of W with FLUSH_OWN makes the caller's own page read-only at once (the TLB "
          "entry goes too): a write faults (error code %x)",
          pf.error);
    utcb()->mr[0] = axo_fpage(where, 12, AXO_FPAGE_RWX);
    error = axo_unmap(AXO_UNMAP_FLUSH_OWN);
    read = try_read(where, nullptr);
    check(error == AXO_OK && !read && last_probe_fault().vector == 14,
          "unmap of R with FLUSH_OWN removes the caller's own mapping");
    axo_fpage_t fpage = axo_fpage(physical, 12, AXO_FPAGE_RWX);
    Sigma0Reply r = sigma0_call(kSigma0MapPhysical, 1, &fpage, axo_fpage(where, 12, AXO_FPAGE_RWX));
    read = try_read(where, &value);
    bool writable = try_write(where, 0x6B4C0002);
    check(r.status == kSigma0Ok && read && value == 0x6B4C0001 && writable,
          "sigma0 maps the page again on request: the same frame with its data, writable (%x)",
          value);
}

void bad_requests() {
    struct Case {
        const char* what;
        uint32_t label, count, word;
    };
    uint32_t page = 0;
    uint32_t where = sigma0_memory(12, &page);
    // A base aligned to 4 KiB only, named with s = 13.
    uint32_t misaligned = (page & 0x1000) ? page : page + 0x1000;
    const Case cases[] = {
        {"kSigma0AllocateAny of 2^11 bytes", kSigma0AllocateAny, 1, 11},
        {"kSigma0AllocateAny of 2^23 bytes", kSigma0AllocateAny, 1, 23},
        {"kSigma0AllocateAny without its word", kSigma0AllocateAny, 0, 0},
        {"kSigma0AllocateAny with two words", kSigma0AllocateAny, 2, 12},
        {"kSigma0MapPhysical of a misaligned fpage", kSigma0MapPhysical, 1,
         (misaligned & ~0xFFFu) | (13u << 4) | AXO_FPAGE_RWX},
        {"kSigma0MapPhysical of s = 11", kSigma0MapPhysical, 1, axo_fpage(page, 11, AXO_FPAGE_RWX)},
        {"kSigma0MapPhysical without rights", kSigma0MapPhysical, 1, axo_fpage(page, 12, 0)},
        {"kSigma0MapPhysical of an I/O fpage", kSigma0MapPhysical, 1, axo_io_fpage(0x3F8, 3)},
        {"kSigma0MapPorts of a memory fpage", kSigma0MapPorts, 1, axo_fpage(page, 12, 7)},
        {"kSigma0MapPorts of 2^17 ports", kSigma0MapPorts, 1, axo_io_fpage(0, 17)},
        {"kSigma0AddClient of nil", kSigma0AddClient, 1, AXO_NIL_THREAD},
        {"an unknown label (0x5105)", 0x5105, 1, 0},
    };
    for (const Case& c : cases) {
        uint32_t words[2] = {c.word, c.word};
        Sigma0Reply r = sigma0_call(c.label, c.count, words, AXO_FPAGE_NIL);
        check(r.status == kSigma0ErrorBadRequest && axo_tag_untyped(r.tag) == 0 &&
                  axo_tag_typed(r.tag) == 0,
              "%s: kSigma0ErrorBadRequest, nothing mapped (status %x)", c.what, r.status);
    }

    // A request carrying a map item: σ0 accepts none, and says so.
    axo_utcb_t* u = utcb();
    u->mr[0] = axo_msg_tag(kSigma0Statistics, 0, 2);
    u->mr[1] = axo_map_item_word0(where, 0);
    u->mr[2] = axo_fpage(where, 12, AXO_FPAGE_R);
    axo_msg_tag_t tag =
        axo_ipc_call(g_sigma0, axo_timeouts(axo_timeout_us(1000000), axo_timeout_us(1000000)));
    check(!axo_tag_failed(tag) && axo_tag_label(tag) == kSigma0ErrorBadRequest,
          "a request with a map item in it: kSigma0ErrorBadRequest (tag %x)", tag);

    // The kernel's memory is not σ0's to give.
    const axo_kip_t* kip = rt_kip();
    uint32_t kernel_page = 0;
    for (uint32_t i = 0; i < kip->memory_count && kernel_page == 0; ++i) {
        const axo_kip_memory_t& d = kip->memory[i];
        if (d.type == AXO_MEMORY_KERNEL && d.size >= 2 * kPage)
            kernel_page = (d.base + kPage) & ~(kPage - 1);
    }
    uint32_t kernel_window = window(12);
    axo_fpage_t fpage = axo_fpage(kernel_page, 12, AXO_FPAGE_R);
    Sigma0Reply r =
        sigma0_call(kSigma0MapPhysical, 1, &fpage, axo_fpage(kernel_window, 12, AXO_FPAGE_RWX));
    bool appeared = try_read(kernel_window, nullptr);
    check(kernel_page != 0 && r.status == kSigma0ErrorNoPermission && !appeared,
          "kSigma0MapPhysical of the kernel's memory (%x): kSigma0ErrorNoPermission, and nothing "
          "appears at the window (status %x)",
          kernel_page, r.status);
}

// A request of another interface sent to σ0 is refused as such (interfaces/README.md
// "Labels"), whether or not it has the shape of one of σ0's requests, and σ0 goes on serving.
void other_interfaces() {
    struct Case {
        const char* what;
        uint32_t label, count;
    };
    const Case cases[] = {
        {"mm's kMmStatistics", mm::kMmStatistics, 0},
        {"mm's kMmAttach with one word", mm::kMmAttach, 1},
        {"process's kProcStatistics", proc::kProcStatistics, 0},
        {"process's kProcKill", proc::kProcKill, 2},
    };
    for (const Case& c : cases) {
        uint32_t words[2] = {12, 12};
        Sigma0Reply r = sigma0_call(c.label, c.count, words, AXO_FPAGE_NIL);
        check(r.status == uint32_t{AXO_RPC_EWRONGIF} && axo_tag_untyped(r.tag) == 0 &&
                  axo_tag_typed(r.tag) == 0,
              "%s (%x) to sigma0: wrong_interface, nothing mapped (status %x)", c.what, c.label,
              r.status);
    }
    uint32_t free = 0, total = 0;
    bool answered = statistics(&free, &total);
    uint32_t physical = 0;
    uint32_t where = sigma0_memory(12, &physical);
    check(answered && total != 0 && where != 0,
          "sigma0 serves after requests of other interfaces (statistics, a page at %x)", physical);
}

void shared_memory() {
    // A boot module: this very program's ELF file.
    const axo_kip_module_t& module = rt_kip()->modules[1];
    uint32_t first_page = module.start & ~(kPage - 1);
    uint32_t where = window(12);
    axo_fpage_t fpage = axo_fpage(first_page, 12, AXO_FPAGE_R);
    Sigma0Reply r = sigma0_call(kSigma0MapPhysical, 1, &fpage, axo_fpage(where, 12, AXO_FPAGE_RWX));
    uint32_t magic = 0;
    bool read = try_read(where + (module.start - first_page), &magic);
    check(r.status == kSigma0Ok && read && magic == kElfMagic,
          "kSigma0MapPhysical of a boot module (this program at %x): its ELF header appears at the "
          "window (status %x, word %x)",
          module.start, r.status, magic);

    where = window(12);
    fpage = axo_fpage(kVgaText, 12, AXO_FPAGE_R | AXO_FPAGE_W);
    r = sigma0_call(kSigma0MapPhysical, 1, &fpage, axo_fpage(where, 12, AXO_FPAGE_RWX));
    uint32_t cell = 0;
    bool used =
        try_write(where + kVgaProbeOffset, 0x0F410F41) && try_read(where + kVgaProbeOffset, &cell);
    check(r.status == kSigma0Ok && used && cell == 0x0F410F41,
          "kSigma0MapPhysical of device memory (the VGA text buffer at %x): mapped, it holds what "
          "is written (status %x, cell %x)",
          kVgaText, r.status, cell);
}

// ---- Clients ---------------------------------------------------------------------------------

constexpr uint32_t kLabelGo = 0x60;

struct ClientScript {
    axo_thread_id_t root;
    uint32_t taken_page;  // a page the root task holds
    uint32_t module_page; // a boot module page (shared)
    uint32_t windows[3];  // prepared by the main thread: window() is not for two threads
    uint32_t before[3];   // statuses before being added: statistics, allocate, add itself
    uint32_t after[5];    // statuses after: map root's page, allocate, module, ports taken, ports
    uint32_t allocated;   // the physical page it got
    uint32_t value;       // read back through its window
};

uint32_t client_request(uint32_t label, uint32_t word, axo_fpage_t receive_window) {
    return sigma0_call(label, label == kSigma0Statistics ? 0 : 1, &word, receive_window).status;
}

void client(void* arg) {
    auto* s = static_cast<ClientScript*>(arg);
    axo_thread_id_t self = rt_my_id();
    s->before[0] = client_request(kSigma0Statistics, 0, AXO_FPAGE_NIL);
    s->before[1] = client_request(kSigma0AllocateAny, 12, AXO_FPAGE_COMPLETE);
    s->before[2] = client_request(kSigma0AddClient, self, AXO_FPAGE_NIL);
    send_done(1);
    // The root task adds us, then says go.
    axo_ipc_receive(s->root, axo_timeout_us(2000000));
    if (axo_tag_failed(utcb()->mr[0])) return;

    s->after[0] = client_request(kSigma0MapPhysical, axo_fpage(s->taken_page, 12, AXO_FPAGE_R),
                                 axo_fpage(s->windows[0], 12, AXO_FPAGE_RWX));
    uint32_t size_log2 = 12;
    Sigma0Reply r =
        sigma0_call(kSigma0AllocateAny, 1, &size_log2, axo_fpage(s->windows[1], 12, AXO_FPAGE_RWX));
    s->after[1] = r.status;
    if (r.status == kSigma0Ok) {
        s->allocated = r.mr[1];
        auto* word = reinterpret_cast<volatile uint32_t*>(s->windows[1]);
        *word = 0xC11E;
        s->value = *word;
    }
    s->after[2] = client_request(kSigma0MapPhysical, axo_fpage(s->module_page, 12, AXO_FPAGE_R),
                                 axo_fpage(s->windows[2], 12, AXO_FPAGE_RWX));
    s->after[3] = client_request(kSigma0MapPorts, axo_io_fpage(0x2F8, 3), axo_io_fpage(0x2F8, 3));
    s->after[4] = client_request(kSigma0MapPorts, axo_io_fpage(0x2E8, 3), axo_io_fpage(0x2E8, 3));
    send_done(2);
}

void clients() {
    static ClientScript s;
    s = {};
    s.root = g_root;
    sigma0_memory(12, &s.taken_page);
    s.module_page = rt_kip()->modules[1].start & ~(kPage - 1);
    for (uint32_t& w : s.windows)
        w = window(12);
    // COM2's ports are the root task's from now on.
    bool com2 = sigma0_ports(0x2F8, 3);

    axo_thread_id_t id = spawn(client, &s);
    bool first = id != AXO_NIL_THREAD && wait_done(id);
    check(first && s.before[0] == kSigma0ErrorNoPermission &&
              s.before[1] == kSigma0ErrorNoPermission && s.before[2] == kSigma0ErrorNoPermission,
          "a thread that is not a client gets kSigma0ErrorNoPermission for statistics, "
          "memory and adding itself (%x %x %x)",
          s.before[0], s.before[1], s.before[2]);

    uint32_t added = client_request(kSigma0AddClient, id, AXO_FPAGE_NIL);
    uint32_t again = client_request(kSigma0AddClient, id, AXO_FPAGE_NIL);
    check(added == kSigma0Ok && again == kSigma0Ok,
          "the root task adds it as a client, twice without harm (%x %x)", added, again);

    utcb()->mr[0] = axo_msg_tag(kLabelGo, 0, 0);
    axo_ipc_send(id, axo_timeout_us(1000000));
    bool second = first && wait_done(id);
    check(second && s.after[0] == kSigma0ErrorTaken,
          "the new client asking for the root task's page gets kSigma0ErrorTaken (%x)", s.after[0]);
    check(second && s.after[1] == kSigma0Ok && s.allocated != s.taken_page && s.value == 0xC11E,
          "it gets memory of its own, mapped at its window (%x at %x)", s.after[1], s.allocated);
    check(second && s.after[2] == kSigma0Ok,
          "boot modules are shared: it maps the page the root task mapped before (%x)", s.after[2]);
    check(com2 && second && s.after[3] == kSigma0ErrorTaken && s.after[4] == kSigma0Ok,
          "ports: the root task's COM2 range is taken for it (%x), COM4's is free (%x)", s.after[3],
          s.after[4]);

    axo_fpage_t theirs = axo_fpage(s.allocated, 12, AXO_FPAGE_R);
    uint32_t taken = client_request(kSigma0MapPhysical, theirs, axo_fpage(window(12), 12, 7));
    check(taken == kSigma0ErrorTaken,
          "and the root task cannot have the client's page either: kSigma0ErrorTaken (%x)", taken);
    cleanup();
}

// ---- σ0 as a pager ------------------------------------------------------------------------------

// A conventional page near the end of σ0's memory, which σ0 hands out last.
uint32_t high_free_page() {
    const axo_kip_t* kip = rt_kip();
    uint32_t best = 0;
    for (uint32_t i = 0; i < kip->memory_count; ++i) {
        const axo_kip_memory_t& d = kip->memory[i];
        if (d.type != AXO_MEMORY_CONVENTIONAL || d.size < 2 * kPage) continue;
        uint64_t end = uint64_t{d.base} + d.size;
        if (end > (uint64_t{448} << 20)) end = uint64_t{448} << 20;
        uint32_t page = static_cast<uint32_t>((end & ~uint64_t{kPage - 1}) - 2 * kPage);
        if (page > best && page >= d.base && sigma0_owns(page, kPage)) best = page;
    }
    return best;
}

struct Toucher {
    uint32_t address;
    uint32_t value;
};

void toucher(void* arg) {
    auto* t = static_cast<Toucher*>(arg);
    auto* word = reinterpret_cast<volatile uint32_t*>(t->address);
    *word = 0x5160FA17;
    t->value = *word;
    send_done(1);
}

void sigma0_as_pager() {
    static Toucher t;
    t = {high_free_page(), 0};
    uint32_t free0 = 0, free1 = 0, total = 0;
    statistics(&free0, &total);

    axo_thread_id_t id = fresh_id();
    uint32_t error = create(id);
    uint32_t added = client_request(kSigma0AddClient, id, AXO_FPAGE_NIL);
    // Same space (the root task's own), new pager: σ0.
    if (error == AXO_OK)
        error = axo_thread_control(id, g_root, AXO_NIL_THREAD, g_sigma0, 0, AXO_NIL_THREAD);
    if (error == AXO_OK) error = run(id, toucher, &t);
    bool done = error == AXO_OK && added == kSigma0Ok && t.address != 0 && wait_done(id);
    check(done && t.value == 0x5160FA17,
          "sigma0 as the pager of a client's thread: its write to %x faults to sigma0, which maps "
          "that physical page 1:1 (error %u, value %x)",
          t.address, error, t.value);
    uint32_t seen = 0;
    statistics(&free1, &total);
    bool read = try_read(t.address, &seen);
    check(done && read && seen == 0x5160FA17 && free0 - free1 == kPage,
          "the page is now in the space at its physical address and counted as given (%x, %u "
          "bytes)",
          seen, free0 - free1);
    axo_fpage_t fpage = axo_fpage(t.address, 12, AXO_FPAGE_R);
    uint32_t taken = client_request(kSigma0MapPhysical, fpage, axo_fpage(window(12), 12, 7));
    check(taken == kSigma0ErrorTaken,
          "it belongs to the faulting client: the root task asking for it gets "
          "kSigma0ErrorTaken (%x)",
          taken);

    // A thread that is not a client gets no answer from σ0: it stays blocked in its fault.
    static Toucher stranger;
    stranger = {t.address + kPage, 0};
    id = fresh_id();
    error = create(id);
    if (error == AXO_OK)
        error = axo_thread_control(id, g_root, AXO_NIL_THREAD, g_sigma0, 0, AXO_NIL_THREAD);
    if (error == AXO_OK) error = run(id, toucher, &stranger);
    // Not wait_done: no report is the expected outcome.
    axo_ipc_receive(id, axo_timeout_us(100000));
    bool reported = error == AXO_OK && !axo_tag_failed(utcb()->mr[0]);
    uint32_t state = thread_state(id);
    check(error == AXO_OK && !reported && state != 0xFFFFFFFFu &&
              (state & AXO_STATE_RECEIVING) != 0,
          "sigma0 does not answer the page fault of a thread that is not its client: the thread "
          "stays blocked in the fault (state %x)",
          state);
    cleanup();
}

// Any thread can send σ0 a message shaped like a page fault. σ0 refuses one below
// AXO_LOWEST_MAPPABLE and does not answer it; it counts it instead of logging every one (the
// first few and then one line per power of two reach the console: sigma0/README.md).
void forged_page_faults_are_counted_not_each_logged() {
    constexpr uint32_t kForged = 200;
    uint32_t free = 0, total = 0, before = 0, after = 0;
    bool stats0 = statistics(&free, &total, &before);
    uint32_t sent = 0;
    for (uint32_t i = 0; i < kForged; ++i) {
        axo_utcb_t* u = utcb();
        u->mr[0] = axo_msg_tag(AXO_LABEL_PAGE_FAULT | AXO_FPAGE_W, 2, 0);
        u->mr[1] = 0x1000 + (i & 7) * kPage; // below AXO_LOWEST_MAPPABLE: never mapped
        u->mr[2] = 0xDEAD0000 + i;
        if (!axo_tag_failed(axo_ipc_send(g_sigma0, axo_timeout_us(1000000)))) ++sent;
    }
    bool stats1 = statistics(&free, &total, &after);
    check(stats0 && stats1 && sent == kForged && after - before == kForged,
          "%u forged page faults below 64 KiB are refused and counted in sigma0's statistics "
          "(sent %u, refused_faults %u -> %u)",
          kForged, sent, before, after);
    // σ0 serves on: a real request still gets its answer.
    uint32_t page = sigma0_memory();
    check(page != 0, "sigma0 still serves after the forged faults (page at %x)", page);
}

} // namespace

void sigma0_tests() {
    kip_memory();
    allocation();
    given_back();
    bad_requests();
    other_interfaces();
    shared_memory();
    clients();
    sigma0_as_pager();
    forged_page_faults_are_counted_not_each_logged();
}

} // namespace kt
