// The small-space tests (README.md): the root task creates test spaces running the
// probe (probe.c), makes some of them small, and checks isolation by segment limits, the CR3
// writes of switches between small and large spaces, and promotion.
//
// The boot module's argument says what the kernel must have decided at boot:
//   expect=on      limits enforced, small spaces on (Bochs): every test
//   expect=forced  `smallspaces=force` on a CPU that does not enforce limits (QEMU): every
//                  test but isolation, which such a CPU cannot give
//   expect=off     limits not enforced, small spaces off (QEMU): space_control refuses
// so a kernel that decides wrongly fails the first test instead of skipping the rest.
#include "probes.h"
#include "tap.h"

namespace ss {
namespace {

enum class Mode { on, forced, off, unknown };

Mode g_mode;
constexpr uint32_t kRounds = 500;
constexpr uint32_t kSlotAreaBase = 0xC0000000;
constexpr uint32_t kSlotAreaEnd = 0xE0000000;
constexpr uint32_t kMarker = 0x5EC2E75Au;
// Where s2 holds the marker: the lowest free page of its layout (nothing maps below 64 KiB).
constexpr uint32_t kMarkerAddress = 0x00070000;

bool small_spaces_expected() {
    return g_mode == Mode::on || g_mode == Mode::forced;
}

const char* mode_name(Mode m) {
    switch (m) {
    case Mode::on:
        return "on";
    case Mode::forced:
        return "forced";
    case Mode::off:
        return "off";
    default:
        return "unknown";
    }
}

Mode parse_mode() {
    const axo_kip_t* kip = rt_kip();
    if (kip->module_count < 2) return Mode::unknown;
    const char* line = kip->modules[1].cmdline;
    size_t length = strnlen(line, sizeof kip->modules[1].cmdline);
    static const char kKey[] = "expect=";
    for (size_t i = 0; i + sizeof kKey - 1 <= length; ++i) {
        if (strncmp(line + i, kKey, sizeof kKey - 1) != 0) continue;
        const char* value = line + i + sizeof kKey - 1;
        if (strncmp(value, "on", 2) == 0) return Mode::on;
        if (strncmp(value, "forced", 6) == 0) return Mode::forced;
        if (strncmp(value, "off", 3) == 0) return Mode::off;
    }
    return Mode::unknown;
}

axo_counters_t counters() {
    axo_counters_t c = {};
    uint32_t error = axo_debug_counters(&c);
    if (error != AXO_OK) diag("debug_counters failed: error %u", error);
    return c;
}

// A word of a page the root task shares with a probe (the probe may change it any time).
volatile uint32_t& word(uint32_t alias, uint32_t offset = 0) {
    return *reinterpret_cast<volatile uint32_t*>(alias + offset);
}

// ---- The KIP and the space_control call --------------------------------------------------

void kip_tests() {
    const axo_kip_t* kip = rt_kip();
    uint32_t flags = kip->api_flags & (AXO_KIP_SMALL_SPACES | AXO_KIP_SMALL_SPACES_FORCED);
    uint32_t want = g_mode == Mode::on       ? AXO_KIP_SMALL_SPACES
                    : g_mode == Mode::forced ? AXO_KIP_SMALL_SPACES | AXO_KIP_SMALL_SPACES_FORCED
                                             : 0u;
    if (!check(g_mode != Mode::unknown && flags == want, "KIP api_flags say small spaces are %s",
               mode_name(g_mode)))
        diag("api_flags %x, expected small-space bits %x", kip->api_flags, want);

    axo_syscall_regs_t r = {AXO_SYS_KERNEL_INTERFACE, 0, 0, 0, 0, 0, 0};
    axo_syscall(&r);
    if (!check(r.eax == AXO_KIP_ADDRESS && r.edx == kip->api_flags,
               "kernel_interface of a large space: the KIP at %x and the same api_flags",
               AXO_KIP_ADDRESS))
        diag("kernel_interface: eax %x edx %x", r.eax, r.edx);
}

void space_control_tests() {
    Probe x;
    if (!check(create(x, "x"), "a new space to try space_control on")) return;

    uint32_t blocks = 0, slot = 0;
    uint32_t error = space_control(x, AXO_SPACE_QUERY, 0, &blocks);
    check(error == AXO_OK && blocks == 0, "space_control QUERY: a new space is large (0 blocks)");

    if (g_mode == Mode::off) {
        error = space_control(x, AXO_SPACE_SMALL, 1, &blocks);
        uint32_t query_error = space_control(x, AXO_SPACE_QUERY, 0, &blocks);
        if (!check(error == AXO_ERR_UNSUPPORTED && query_error == AXO_OK && blocks == 0,
                   "space_control SMALL is refused with UNSUPPORTED, the space stays large"))
            diag("SMALL: error %u; QUERY: error %u, %u blocks", error, query_error, blocks);
        destroy(x);
        return;
    }

    uint32_t bad[3] = {space_control(x, AXO_SPACE_SMALL, 0), space_control(x, AXO_SPACE_SMALL, 129),
                       space_control(x, 3, 1)};
    uint32_t bad_thread[2] = {
        axo_space_control(AXO_NIL_THREAD, AXO_SPACE_QUERY, 0, nullptr, nullptr),
        axo_space_control(axo_thread_id(1000, 1), AXO_SPACE_QUERY, 0, nullptr, nullptr)};
    auto no_thread = [](uint32_t e) {
        return e == AXO_ERR_INVALID_THREAD || e == AXO_ERR_INVALID_SPACE;
    };
    if (!check(
            bad[0] == AXO_ERR_INVALID_PARAM && bad[1] == AXO_ERR_INVALID_PARAM &&
                bad[2] == AXO_ERR_INVALID_PARAM && no_thread(bad_thread[0]) &&
                no_thread(bad_thread[1]),
            "space_control refuses 0 and 129 blocks, an unknown control, nil and unused threads"))
        diag("errors: 0 blocks %u, 129 blocks %u, control 3 %u, nil %u, unused %u", bad[0], bad[1],
             bad[2], bad_thread[0], bad_thread[1]);

    error = space_control(x, AXO_SPACE_SMALL, 1, &blocks, &slot);
    if (!check(error == AXO_OK && blocks == 1 && slot >= kSlotAreaBase && slot < kSlotAreaEnd &&
                   slot % kBlock == 0,
               "space_control SMALL 1 block: a 4 MiB aligned slot in the small-space area"))
        diag("error %u, %u blocks, slot %x", error, blocks, slot);
    uint32_t query_blocks = 0, query_slot = 0;
    error = space_control(x, AXO_SPACE_QUERY, 0, &query_blocks, &query_slot);
    check(error == AXO_OK && query_blocks == 1 && query_slot == slot,
          "space_control QUERY reports the slot");
    uint32_t again = space_control(x, AXO_SPACE_SMALL, 2, &query_blocks, &query_slot);
    uint32_t root = axo_space_control(rt_my_id(), AXO_SPACE_SMALL, 1, nullptr, nullptr);
    if (!check(again != AXO_OK && query_blocks == 1 && query_slot == slot && root != AXO_OK,
               "SMALL is refused for a space that is small already and for the root task's own"))
        diag("again: error %u, %u blocks, slot %x; root task: error %u", again, query_blocks,
             query_slot, root);
    destroy(x);

    // A UTCB beyond the size is a mapping beyond the limit: that space cannot be that small.
    Probe y;
    y.utcb = 5 * kBlock / 4; // 5 MiB
    if (create(y, "y")) {
        uint32_t one = space_control(y, AXO_SPACE_SMALL, 1, &blocks);
        uint32_t still = space_control(y, AXO_SPACE_QUERY, 0, &blocks);
        bool refused = one != AXO_OK && still == AXO_OK && blocks == 0;
        uint32_t two = space_control(y, AXO_SPACE_SMALL, 2, &blocks, &slot);
        if (!check(refused && two == AXO_OK && blocks == 2 && slot % kBlock == 0 &&
                       slot >= kSlotAreaBase && slot + 2 * kBlock <= kSlotAreaEnd,
                   "a UTCB at 5 MiB: refused as 1 block (the space stays large), fits in 2 blocks"))
            diag("1 block: error %u; 2 blocks: error %u, %u blocks, slot %x", one, two, blocks,
                 slot);
        destroy(y);
    } else {
        check(false, "a space with its UTCB at 5 MiB");
    }

    // The area holds 128 blocks; a deleted space's slot is free again.
    Probe all, one;
    if (create(all, "all") && create(one, "one")) {
        uint32_t whole = space_control(all, AXO_SPACE_SMALL, AXO_SMALL_AREA_BLOCKS, &blocks, &slot);
        uint32_t full = space_control(one, AXO_SPACE_SMALL, 1, &blocks);
        uint32_t gone = destroy(all);
        uint32_t freed = space_control(one, AXO_SPACE_SMALL, 1, &blocks);
        if (!check(whole == AXO_OK && slot == kSlotAreaBase && full == AXO_ERR_NO_MEMORY &&
                       gone == AXO_OK && freed == AXO_OK && blocks == 1,
                   "128 blocks take the whole area (then SMALL fails: NO_MEMORY) until deleted"))
            diag("128 blocks: error %u slot %x; 1 more: error %u; delete %u; then: error %u", whole,
                 slot, full, gone, freed);
    } else {
        check(false, "two spaces for the slot-exhaustion test");
    }
    destroy(all);
    destroy(one);
}

// space_control is privileged: a probe calling it on its own space is refused.
void privilege_test(Probe& p) {
    Command c = {PROBE_SYSCALL, {AXO_SYS_SPACE_CONTROL, p.id, AXO_SPACE_SMALL, 1}};
    bool ran = run(p, c);
    if (!check(ran && p.status == PROBE_DONE && p.value[0] == AXO_ERR_NO_PRIVILEGE,
               "space_control from an unprivileged space: NO_PRIVILEGE"))
        diag("ran %d, status %u, eax %u", ran, p.status, p.value[0]);
}

// ---- A small space runs --------------------------------------------------------------------

bool make_small(Probe& p, uint32_t blocks, uint32_t* slot) {
    uint32_t got = 0;
    uint32_t error = space_control(p, AXO_SPACE_SMALL, blocks, &got, slot);
    if (error != AXO_OK || got != blocks) {
        diag("probe %s: space_control SMALL %u: error %u, %u blocks", p.name, blocks, error, got);
        return false;
    }
    return true;
}

void small_space_runs(Probe& s1, uint32_t slot) {
    check(true, "probe s1 runs in a small space (slot %x): code and stack came from page faults",
          slot);

    Command kip = {PROBE_SYSCALL, {AXO_SYS_KERNEL_INTERFACE}};
    bool ran = run(s1, kip);
    uint32_t address = s1.value[0];
    Access magic = access(s1, PROBE_READ32, address);
    if (!check(ran && address == kBlock - kPageSize && magic.ran && !magic.faulted &&
                   magic.value == AXO_KIP_MAGIC,
               "its KIP is in the last page below its 4 MiB limit and readable there"))
        diag("kernel_interface %x (ran %d), magic %x (faulted %d)", address, ran, magic.value,
             magic.faulted);

    // The slot maps the very frames the root task holds: writes are seen both ways.
    Access w = access(s1, PROBE_WRITE32, PROBE_DATA + 8, 0x51A11u);
    word(s1.data_alias, 12) = 0xF00Du;
    Access r = access(s1, PROBE_READ32, PROBE_DATA + 12);
    if (!check(w.ran && !w.faulted && word(s1.data_alias, 8) == 0x51A11u && r.ran && !r.faulted &&
                   r.value == 0xF00Du,
               "its data page is shared with the root task: writes are seen both ways"))
        diag("root sees %x; probe read %x (faulted %d %d)", word(s1.data_alias, 8), r.value,
             w.faulted, r.faulted);
}

// ---- Isolation (Bochs only: QEMU does not check data-segment limits) --------------------

bool expect_fault(Probe& p, const Access& a, uint32_t vector, const char* what) {
    bool ok = a.ran && a.faulted && p.vector == vector && p.eip >= PROBE_CODE &&
              p.eip < PROBE_CODE + 4 * kPageSize;
    check(ok, "%s: %s exception IPC", what, vector_name(vector));
    if (!ok) {
        if (!a.faulted)
            diag("no exception: the access returned %x", a.value);
        else
            diag("vector %u error %x eip %x address %x", p.vector, p.error, p.eip, p.address);
    }
    return ok;
}

void isolation_tests(Probe& s1, uint32_t slot1, Probe& s2, uint32_t slot2, Probe& large) {
    uint32_t marker_offset = slot2 - slot1 + kMarkerAddress; // from s1's base, modulo 2^32
    expect_fault(s1, access(s1, PROBE_READ8, kBlock), 13, "s1 reads the first byte past its limit");
    Access peek = access(s1, PROBE_READ32, marker_offset);
    expect_fault(s1, peek, 13, "s1 reads the marker's linear address through its segment");
    check(!(peek.ran && !peek.faulted && peek.value == kMarker), "s1 never sees s2's marker");
    Access poke = access(s1, PROBE_WRITE32, marker_offset, 0xBAD);
    expect_fault(s1, poke, 13, "s1 writes there");
    check(word(s2.extra_alias) == kMarker, "the marker is unchanged");
    word(s2.extra_alias) = kMarker;
    expect_fault(s1, access(s1, PROBE_WRITE8, kBlock, 1), 13,
                 "s1 writes the first byte past its limit");
    expect_fault(s1, access(s1, PROBE_READ32, kBlock - 2), 13,
                 "s1 reads a word straddling its limit");
    Access last = access(s1, PROBE_READ32, kBlock - 4);
    if (!check(last.ran && !last.faulted, "s1 reads the last word below its limit (its KIP)"))
        diag("vector %u eip %x", s1.vector, s1.eip);
    expect_fault(s1, access(s1, PROBE_PUSH, kBlock + 4), 12, "s1 pushes with esp past its limit");
    expect_fault(s1, access(s1, PROBE_CALL, marker_offset), 13,
                 "s1 calls code at the marker's linear address");
    // %gs reaches the UTCB and no further.
    expect_fault(s1, access(s1, PROBE_READ_GS, AXO_UTCB_SIZE), 13,
                 "s1 reads past its UTCB through %gs");
    Access after = access(s1, PROBE_READ32, PROBE_DATA + 8);
    check(after.ran && !after.faulted && after.value == 0x51A11u,
          "s1 runs on after its faults, its data intact");

    // A large space's user segments end at 3 GiB.
    expect_fault(large, access(large, PROBE_READ8, kSlotAreaBase), 13,
                 "a large space reads linear C0000000");
    Access lpeek = access(large, PROBE_READ32, slot2 + kMarkerAddress);
    expect_fault(large, lpeek, 13, "a large space reads s2's marker at its linear address");
    check(!(lpeek.ran && !lpeek.faulted && lpeek.value == kMarker),
          "the large space never sees it");
    expect_fault(large, access(large, PROBE_WRITE32, slot2 + kMarkerAddress, 0xBAD), 13,
                 "a large space writes there");
    check(word(s2.extra_alias) == kMarker, "the marker is still unchanged");
    word(s2.extra_alias) = kMarker;
    expect_fault(large, access(large, PROBE_READ32, kSlotAreaBase - 2), 13,
                 "a large space reads a word straddling 3 GiB");
    Access klast = access(large, PROBE_READ32, kSlotAreaBase - 4);
    check(klast.ran && !klast.faulted, "a large space reads the last word below 3 GiB (its KIP)");
}

// ---- More of small spaces: the marker, threads, the kernel's checks, mappings ---------------

// s2 holds the marker at kMarkerAddress: with adjacent slots, that far past s1's limit.
bool place_marker(Probe& s2, uint32_t slot1, uint32_t slot2) {
    Access seen = access(s2, PROBE_READ32, kMarkerAddress);
    diag("slots: s1 %x, s2 %x (%s)", slot1, slot2,
         slot2 == slot1 + kBlock ? "adjacent: the marker is just past s1's limit" : "not adjacent");
    return check(seen.ran && !seen.faulted && seen.value == kMarker,
                 "probe s2 reads the marker at its address %x (linear %x)", kMarkerAddress,
                 slot2 + kMarkerAddress);
}

// A second thread in a small space: its UTCB, KIP and memory are the space's, in the slot.
void second_thread(Probe& s2b, Probe& s2) {
    s2b.utcb = PROBE_UTCB + AXO_UTCB_SIZE;
    // The first thread's stack is the top of the page, and shallow: this one starts halfway.
    bool ok = create_in(s2b, "s2b", s2) && start(s2b, PROBE_STACK + kPageSize / 2);
    Access marker = ok ? access(s2b, PROBE_READ32, kMarkerAddress) : Access{};
    Command kip = {PROBE_SYSCALL, {AXO_SYS_KERNEL_INTERFACE}};
    bool ran = ok && run(s2b, kip);
    uint32_t kip_address = s2b.value[0];
    Access self = ok ? access(s2b, PROBE_READ_GS, 0) : Access{};
    if (!check(ok && marker.ran && !marker.faulted && marker.value == kMarker && ran &&
                   kip_address == kBlock - kPageSize && self.ran && !self.faulted &&
                   self.value == s2b.utcb,
               "a second thread of a small space runs in its slot: its memory, KIP and UTCB"))
        diag("ok %d; marker %x (faulted %d); kernel_interface %x; %%gs:0 %x", ok, marker.value,
             marker.faulted, kip_address, self.value);
}

// What the kernel does on a small space's behalf stays inside its limit too (checked in
// software: on QEMU as well).
void kernel_respects_limits(Probe& s1, uint32_t slot1, Probe& s2, uint32_t slot2) {
    uint32_t marker_offset = slot2 - slot1 + kMarkerAddress;
    Command write = {PROBE_SYSCALL, {AXO_SYS_DEBUG, AXO_DEBUG_WRITE, kBlock - 4, 8}};
    bool ran = run(s1, write);
    uint32_t write_error = s1.value[0];
    // A kernel that wrongly printed the bytes left a partial line: end it, for TAP's sake.
    axo_debug_write("\n", 1);
    Command count = {PROBE_SYSCALL, {AXO_SYS_DEBUG, AXO_DEBUG_COUNTERS, marker_offset}};
    ran = run(s1, count) && ran;
    uint32_t count_error = s1.value[0];
    if (!check(ran && write_error == AXO_ERR_INVALID_PARAM &&
                   count_error == AXO_ERR_INVALID_PARAM && word(s2.extra_alias) == kMarker,
               "syscall buffers past a small space's limit are refused (debug_write, "
               "debug_counters onto the marker)"))
        diag("debug_write: %u, debug_counters: %u, marker %x", write_error, count_error,
             word(s2.extra_alias));
    word(s2.extra_alias) = kMarker; // one bug, one failed test

    Probe z;
    uint32_t exreg = 0xFFFFFFFF;
    if (create(z, "z") && make_small(z, 1, nullptr)) {
        // HALT: even if the kernel took the ip, the thread would not run.
        axo_exreg_t regs = {};
        regs.control = AXO_EXREG_SET_IP | AXO_EXREG_SET_SP | AXO_EXREG_HALT;
        regs.ip = kBlock;
        regs.sp = PROBE_STACK_TOP;
        exreg = axo_exchange_registers(z.id, &regs);
    }
    destroy(z);
    check(exreg == AXO_ERR_INVALID_PARAM,
          "exchange_registers refuses an ip past a small space's limit (error %u)", exreg);

    axo_thread_id_t extra = axo_thread_id(900, 1);
    axo_thread_id_t root = rt_my_id();
    uint32_t utcb = axo_thread_control(extra, s1.id, root, root, kBlock + 0x1000, root);
    if (utcb == AXO_OK)
        axo_thread_control(extra, AXO_NIL_THREAD, AXO_NIL_THREAD, AXO_NIL_THREAD, 0,
                           AXO_NIL_THREAD);
    uint32_t blocks = 0;
    space_control(s1, AXO_SPACE_QUERY, 0, &blocks);
    check(utcb == AXO_ERR_UTCB_AREA && blocks == 1 && word(s2.extra_alias) == kMarker,
          "a thread with its UTCB past a small space's limit is refused (error %u), the space "
          "stays small",
          utcb);
}

// A map item between two small spaces: user addresses on both sides, not linear ones.
void small_to_small_mapping(Probe& s1, Probe& s2) {
    constexpr uint32_t kTo = 0x00040000;
    Command receive = {PROBE_RECEIVE, {s1.id}};
    Command map = {PROBE_SEND_MAP, {s2.id, PROBE_DATA, kTo, AXO_FPAGE_R | AXO_FPAGE_W}};
    bool ok = send(s2, receive) && run(s1, map) && await(s2);
    uint32_t tag = s2.value[0];
    ok = ok && s1.status == PROBE_DONE && axo_tag_label(tag) == PROBE_LABEL_MAP &&
         !axo_tag_failed(tag);
    Access read = access(s2, PROBE_READ32, kTo + 8);
    Access write = access(s2, PROBE_WRITE32, kTo + 16, 0x5A5A);
    if (!check(ok && read.ran && !read.faulted && read.value == word(s1.data_alias, 8) &&
                   write.ran && !write.faulted && word(s1.data_alias, 16) == 0x5A5A,
               "s1 maps its data page to s2: s2 reads and writes it at the address the item named"))
        diag("ok %d tag %x error %x; read %x (faulted %d), s1 has %x; write faulted %d, s1 sees %x",
             ok, tag, s2.value[1], read.value, read.faulted, word(s1.data_alias, 8), write.faulted,
             word(s1.data_alias, 16));
}

// Map items land at user addresses below 3 GiB only: a large space cannot be given a page
// in the small-space area, where it would appear inside a small space's slot.
void no_mapping_into_the_area(Probe& large, Probe& s2, uint32_t slot2) {
    constexpr uint32_t kVictim = 0x00050000; // unmapped in s2
    uint32_t inject = grab_page(), blank = grab_page();
    if (inject == 0 || blank == 0) {
        check(false, "pages for the mapping-injection test");
        return;
    }
    word(inject) = 0x1A1A0001u;
    s2.fallback_alias = blank;
    Command c = {PROBE_READ32, {PROBE_DATA}};
    c.map_to = slot2 + kVictim;
    c.map_alias = inject;
    bool ran = run(large, c);
    uint32_t faults = s2.page_faults;
    Access seen = access(s2, PROBE_READ32, kVictim);
    s2.fallback_alias = 0;
    if (!check(ran && large.status == PROBE_DONE && seen.ran && !seen.faulted &&
                   seen.value != 0x1A1A0001u && s2.page_faults == faults + 1,
               "a map item to a large space at s2's linear address does not land in s2's slot"))
        diag("large ran %d status %u; s2 read %x (faulted %d), page faults %u -> %u", ran,
             large.status, seen.value, seen.faulted, faults, s2.page_faults);
}

// Unmap reaches into the slot: the next access faults (no stale TLB entry), and the pager's
// answer maps the page again.
void unmap_test(Probe& s1) {
    // Fresh in the TLB: no CR3 write comes between this access and the unmap (the root task's
    // directory stays loaded), so only an invlpg can remove the entry.
    access(s1, PROBE_READ32, PROBE_DATA + 8);
    axo_utcb_t* u = axo_my_utcb();
    u->mr[0] = axo_fpage(s1.data_alias, 12, AXO_FPAGE_RWX);
    uint32_t error = axo_unmap(0);
    uint32_t faults = s1.page_faults;
    Access again = access(s1, PROBE_READ32, PROBE_DATA + 8);
    if (!check(error == AXO_OK && again.ran && !again.faulted && s1.page_faults == faults + 1 &&
                   again.value == word(s1.data_alias, 8),
               "unmapping s1's data page: its next access page-faults, then reads the page again"))
        diag("unmap error %u; page faults %u -> %u; read %x (faulted %d)", error, faults,
             s1.page_faults, again.value, again.faulted);
}

// A running large space becomes small: its mappings move into the slot, it runs on.
void became_small_while_running(Probe& m) {
    word(m.data_alias, 8) = 0x3A11u;
    uint32_t slot = 0, faults = m.page_faults;
    bool small = make_small(m, 1, &slot);
    Access data = access(m, PROBE_READ32, PROBE_DATA + 8);
    Command kip = {PROBE_SYSCALL, {AXO_SYS_KERNEL_INTERFACE}};
    bool ran = run(m, kip);
    // Its mappings moved with it: the pager was not asked for any page again.
    if (!check(small && data.ran && !data.faulted && data.value == 0x3A11u && ran &&
                   m.value[0] == kBlock - kPageSize && m.page_faults == faults,
               "a started large space made small runs on in its slot: mappings kept, KIP moved"))
        diag("small %d slot %x; data %x (faulted %d); kernel_interface %x; page faults %u -> %u",
             small, slot, data.value, data.faulted, m.value[0], faults, m.page_faults);
}

// A deleted small space leaves nothing in its slot: the next space there faults its own
// pages in and sees only them.
void slot_reuse(Probe& t, uint32_t old_slot) {
    uint32_t slot = 0;
    bool ok = create(t, "t") && make_small(t, 1, &slot);
    if (ok) word(t.data_alias, 8) = 0x7777u;
    ok = ok && start(t);
    Access data = ok ? access(t, PROBE_READ32, PROBE_DATA + 8) : Access{};
    // Code, stack and data pages: each must have faulted in afresh.
    if (!check(ok && data.ran && !data.faulted && data.value == 0x7777u && t.page_faults >= 3,
               "a new small space in a deleted one's slot sees only its own pages"))
        diag("slot %x (old %x); data %x (faulted %d); page faults %u", slot, old_slot, data.value,
             data.faulted, t.page_faults);
    else if (slot != old_slot)
        diag("the new space got slot %x, not the deleted one's (%x)", slot, old_slot);
}

// ---- Switching: CR3 writes ------------------------------------------------------------------

// a pings b kRounds times (b serves them); the result is a's report (counter deltas).
bool ping_pong(Probe& a, Probe& b, uint32_t* cr3, uint32_t* reloads, uint32_t* switches) {
    Command serve = {PROBE_SERVE, {kRounds}};
    Command ping = {PROBE_PING, {b.id, kRounds}};
    if (!send(b, serve) || !send(a, ping)) return false;
    bool ok = await(a, 4 * kAwaitUs) && await(b);
    if (!ok) return false;
    if (a.status != PROBE_DONE || b.status != PROBE_DONE) {
        diag("ping-pong %s -> %s: status %u (%x %x %x), server status %u (%x %x %x)", a.name,
             b.name, a.status, a.value[0], a.value[1], a.value[2], b.status, b.value[0], b.value[1],
             b.value[2]);
        return false;
    }
    *cr3 = a.value[0];
    *reloads = a.value[1];
    *switches = a.value[2];
    return true;
}

void control_ping_pong(Probe& la, Probe& lb) {
    uint32_t cr3 = 0, reloads = 0, switches = 0;
    bool ok = ping_pong(la, lb, &cr3, &reloads, &switches);
    diag("large <-> large: %u rounds, cr3 writes %u, space switches %u, segment reloads %u",
         kRounds, cr3, switches, reloads);
    check(ok && cr3 >= 2 * kRounds,
          "control: %u round trips between two large spaces write CR3 at least twice each",
          kRounds);
}

void small_small_ping_pong(Probe& s1, Probe& s2) {
    uint32_t cr3 = 0xFFFFFFFF, reloads = 0, switches = 0;
    bool ok = ping_pong(s1, s2, &cr3, &reloads, &switches);
    diag("small <-> small: %u rounds, cr3 writes %u, space switches %u, segment reloads %u",
         kRounds, cr3, switches, reloads);
    check(ok && cr3 == 0, "%u round trips between two small spaces write CR3 zero times", kRounds);
    check(ok && reloads >= 2 * kRounds,
          "... and count a segment reload for every switch into a small space");
}

void large_small_ping_pong(Probe& s1) {
    // The root task itself is the large partner: its directory stays loaded throughout.
    Command serve = {PROBE_SERVE, {kRounds}};
    if (!send(s1, serve)) {
        check(false, "root (large) <-> small ping-pong");
        return;
    }
    axo_utcb_t* u = axo_my_utcb();
    axo_counters_t before = counters();
    uint32_t failed_round = kRounds;
    for (uint32_t i = 0; i < kRounds; ++i) {
        u->mr[0] = axo_msg_tag(PROBE_LABEL_PING, 1, 0);
        u->mr[1] = i;
        axo_timeout_t t = axo_timeout_us(kAwaitUs);
        axo_msg_tag_t tag = axo_ipc_call(s1.id, axo_timeouts(t, t));
        if (axo_tag_failed(tag) || axo_tag_label(tag) != PROBE_LABEL_PONG || u->mr[1] != i + 1) {
            diag("round %u: tag %x, error word %x", i, tag, u->error);
            failed_round = i;
            break;
        }
    }
    axo_counters_t after = counters();
    bool served = await(s1) && s1.status == PROBE_DONE;
    uint32_t cr3 = after.cr3_writes - before.cr3_writes;
    diag("root (large) <-> s1 (small): %u rounds, cr3 writes %u, space switches %u, segment "
         "reloads %u",
         kRounds, cr3, after.space_switches - before.space_switches,
         after.segment_reloads - before.segment_reloads);
    check(failed_round == kRounds && served && cr3 <= 2,
          "%u round trips between the root task (large) and a small space: CR3 written at most "
          "twice, not per round",
          kRounds);
}

void alternating_large_ping_pong(Probe& l1, Probe& l2, Probe& s) {
    // Two large clients of one small server that answers them in turn: every ping comes
    // from the other large space, so each costs one CR3 write, and nothing else may. Long
    // time slices keep preemption (a switch between large spaces without a ping) out of
    // the window; the one extra switch allowed for is to the root task and back when l1,
    // done first, reports.
    constexpr uint32_t kLongSliceUs = 2000000;
    uint32_t old_slice[3] = {};
    Probe* probes[3] = {&l1, &l2, &s};
    for (uint32_t i = 0; i < 3; ++i)
        axo_schedule(probes[i]->id, 0xFFFFFFFFu, kLongSliceUs, nullptr, &old_slice[i]);
    Command serve = {PROBE_SERVE, {2 * kRounds, l1.id, l2.id}};
    Command ping = {PROBE_PING, {s.id, kRounds}};
    bool ok = send(s, serve) && send(l1, ping) && send(l2, ping);
    ok = ok && await(l1, 4 * kAwaitUs) && await(l2, 4 * kAwaitUs) && await(s);
    ok = ok && l1.status == PROBE_DONE && l2.status == PROBE_DONE && s.status == PROBE_DONE;
    for (uint32_t i = 0; i < 3; ++i)
        axo_schedule(probes[i]->id, 0xFFFFFFFFu, old_slice[i], nullptr, nullptr);
    uint32_t changes = s.value[0], cr3 = s.value[1];
    diag("l1, l2 (large) <-> s1 (small) in turn: %u pings, %u changes of client, cr3 writes %u, "
         "segment reloads %u",
         2 * kRounds, changes, cr3, s.value[2]);
    check(ok && changes == 2 * kRounds - 1 && cr3 <= changes + 2,
          "two large spaces calling a small one in turn: CR3 written only when the large space "
          "changes");
}

// ---- Promotion ------------------------------------------------------------------------------

void promotion_by_mapping(Probe& p) {
    uint32_t extra = grab_page();
    word(p.data_alias) = 0xDA7A0001u;
    word(extra) = 0x0E770001u;
    uint32_t faults = p.page_faults;
    axo_counters_t before = counters();
    // The command carries a mapping 8 MiB up: beyond the 4 MiB slot.
    Command c = {PROBE_READ_TWO, {PROBE_DATA, 2 * kBlock}};
    c.map_to = 2 * kBlock;
    c.map_alias = extra;
    bool ran = extra != 0 && run(p, c);
    axo_counters_t after = counters();
    // Its mappings moved with it: the pager was not asked for any page again.
    if (!check(ran && p.status == PROBE_DONE && p.value[0] == 0xDA7A0001u &&
                   p.value[1] == 0x0E770001u && p.page_faults == faults,
               "a mapping beyond its slot: the space runs on with its mappings, the new page "
               "there"))
        diag(
            "ran %d status %u values %x %x; exceptions %u (vector %u eip %x); page faults %u -> %u",
            ran, p.status, p.value[0], p.value[1], p.exceptions, p.vector, p.eip, faults,
            p.page_faults);
    uint32_t blocks = 0xFFFFFFFF;
    uint32_t error = space_control(p, AXO_SPACE_QUERY, 0, &blocks);
    if (!check(after.promotions - before.promotions == 1 && error == AXO_OK && blocks == 0,
               "... the kernel promoted it: promotions +1, QUERY says large"))
        diag("promotions %u -> %u, QUERY error %u blocks %u", before.promotions, after.promotions,
             error, blocks);
}

void explicit_promotion(Probe& q) {
    constexpr uint32_t kFlag = 0x100; // PROBE_SPIN: the flag, then the iteration count
    word(q.data_alias) = 0xDA7A0002u;
    word(q.data_alias, kFlag) = 0;
    word(q.data_alias, kFlag + 4) = 0;
    Command spin = {PROBE_SPIN, {PROBE_DATA + kFlag, 50000000, PROBE_DATA}};
    if (!send(q, spin)) {
        check(false, "explicit promotion of a running small space");
        return;
    }
    // Wait until it spins: then it is running (preempted, not blocked) when promoted.
    uint64_t deadline = rt_clock_us() + kAwaitUs;
    while (word(q.data_alias, kFlag + 4) == 0 && rt_clock_us() < deadline)
        sleep_us(1000);
    uint32_t spun = word(q.data_alias, kFlag + 4);
    axo_counters_t before = counters();
    uint32_t blocks = 0xFFFFFFFF;
    uint32_t error = space_control(q, AXO_SPACE_LARGE, 0, &blocks);
    axo_counters_t after = counters();
    uint32_t query_blocks = 0xFFFFFFFF;
    uint32_t query = space_control(q, AXO_SPACE_QUERY, 0, &query_blocks);
    if (!check(spun != 0 && error == AXO_OK && blocks == 0 && query == AXO_OK &&
                   query_blocks == 0 && after.promotions - before.promotions == 1,
               "space_control LARGE promotes a running small space: promotions +1, QUERY says "
               "large"))
        diag("spun %u; LARGE error %u blocks %u; QUERY error %u blocks %u; promotions %u -> %u",
             spun, error, blocks, query, query_blocks, before.promotions, after.promotions);
    // Still running after the promotion: the count goes on, then the flag ends the spin.
    sleep_us(5000);
    uint32_t later = word(q.data_alias, kFlag + 4);
    word(q.data_alias, kFlag) = 1;
    bool ran = await(q);
    if (!check(ran && q.status == PROBE_DONE && q.value[0] == 0xDA7A0002u && later > spun &&
                   q.value[1] >= later && q.exceptions == 0,
               "the promoted space runs on: it kept spinning, saw the flag, its data intact"))
        diag("spun %u, later %u; ran %d status %u data %x iterations %u exceptions %u", spun, later,
             ran, q.status, q.value[0], q.value[1], q.exceptions);

    Command kip = {PROBE_SYSCALL, {AXO_SYS_KERNEL_INTERFACE}};
    bool asked = run(q, kip);
    uint32_t address = q.value[0];
    Access magic = access(q, PROBE_READ32, address);
    if (!check(asked && magic.ran && !magic.faulted && magic.value == AXO_KIP_MAGIC,
               "after promotion kernel_interface still names a readable KIP (at %x)", address))
        diag("magic %x (faulted %d)", magic.value, magic.faulted);

    // Everything of q still lies below 4 MiB, its KIP included (docs/kernel-api.md §8.5: the
    // KIP itself is excepted), so it can be made small again and run on there.
    uint32_t slot = 0, faults = q.page_faults;
    bool small = make_small(q, 1, &slot);
    Access data = small ? access(q, PROBE_READ32, PROBE_DATA) : Access{};
    if (!check(small && data.ran && !data.faulted && data.value == 0xDA7A0002u &&
                   q.page_faults == faults,
               "a promoted space whose pages all lie below 4 MiB becomes small again and runs on"))
        diag("small %d slot %x; data %x (faulted %d); page faults %u -> %u", small, slot,
             data.value, data.faulted, faults, q.page_faults);
}

// ---- The run ------------------------------------------------------------------------------

bool start_probe(Probe& p, const char* name, uint32_t small_blocks, uint32_t* slot) {
    if (!create(p, name)) return false;
    if (small_blocks != 0 && !make_small(p, small_blocks, slot)) return false;
    return start(p);
}

void run_tests() {
    kip_tests();
    space_control_tests();
    if (!check(probes_init(), "the probe image is in pages from sigma0")) return;

    // Two large spaces: the control for every CR3 count below.
    Probe la, lb;
    bool large_ok = start_probe(la, "la", 0, nullptr) && start_probe(lb, "lb", 0, nullptr);
    if (check(large_ok, "two probes run in large spaces")) {
        privilege_test(la);
        control_ping_pong(la, lb);
    }

    if (!small_spaces_expected()) {
        skip("small spaces are off", "small spaces run, isolation, switching, promotion");
    } else {
        Probe s1, s2, s2b, large, m, p, q, t;
        uint32_t slot1 = 0, slot2 = 0, unused = 0;
        bool s1_ok = start_probe(s1, "s1", 1, &slot1);
        if (!s1_ok) check(false, "probe s1 runs in a small space");
        if (s1_ok) small_space_runs(s1, slot1);

        s2.extra_alias = grab_page();
        s2.extra_address = kMarkerAddress;
        if (s2.extra_alias) word(s2.extra_alias) = kMarker;
        bool s2_ok = s2.extra_alias != 0 && start_probe(s2, "s2", 1, &slot2);
        check(s2_ok, "probe s2 runs in another small space");
        bool both = s1_ok && s2_ok && place_marker(s2, slot1, slot2);
        if (both) kernel_respects_limits(s1, slot1, s2, slot2);
        if (both) second_thread(s2b, s2);

        bool large_probe = start_probe(large, "large", 0, nullptr);
        if (g_mode != Mode::on)
            skip("segment limits are not enforced here", "isolation by segment limits");
        else if (check(both && large_probe, "probes for the isolation tests"))
            isolation_tests(s1, slot1, s2, slot2, large);

        if (both && large_probe) no_mapping_into_the_area(large, s2, slot2);
        if (both) {
            small_to_small_mapping(s1, s2);
            unmap_test(s1);
            small_small_ping_pong(s1, s2);
            large_small_ping_pong(s1);
        }
        if (s1_ok && large_ok) alternating_large_ping_pong(la, lb, s1);

        if (check(start_probe(m, "m", 0, nullptr), "probe m runs in a large space"))
            became_small_while_running(m);
        if (check(start_probe(p, "p", 1, &unused), "probe p runs in a small space"))
            promotion_by_mapping(p);
        if (check(start_probe(q, "q", 1, &unused), "probe q runs in a small space"))
            explicit_promotion(q);

        uint32_t errors = destroy(s1);
        if (s1_ok) slot_reuse(t, slot1);
        errors |= destroy(s2b) | destroy(s2) | destroy(large) | destroy(m) | destroy(p) |
                  destroy(q) | destroy(t);
        check(errors == AXO_OK, "the small and promoted spaces are deleted cleanly");
    }
    uint32_t errors = destroy(la) | destroy(lb);
    check(errors == AXO_OK, "the large probes are deleted cleanly");
}

} // namespace
} // namespace ss

int main() {
    ss::tap_begin();
    ss::g_mode = ss::parse_mode();
    ss::diag("small-space tests, expecting small spaces %s", ss::mode_name(ss::g_mode));
    ss::run_tests();
    ss::tap_finish();
}
