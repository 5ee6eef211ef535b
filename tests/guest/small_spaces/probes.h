// Test spaces for the small-space tests: each runs the probe (probe.c) in an address space of
// its own, with the root task's main thread as its pager and exception handler. The root task
// gets memory from σ0, copies the probe image into it, answers the probes' page faults from a
// fixed layout (probe_protocol.h), restarts a probe after an exception, and collects reports.
//
// Every wait is bounded: a probe that does not report in time fails its test, and one whose
// fault cannot be resolved is marked stuck instead of hanging the run.
#pragma once

#include "probe_protocol.h"
#include "rt/rt.h"

namespace ss {

constexpr uint32_t kPageSize = 0x1000;
constexpr uint32_t kBlock = AXO_SMALL_BLOCK_SIZE;
constexpr uint32_t kAwaitUs = 5000000; // guest time; Bochs runs ~10x slower than QEMU

// A page σ0 gave the root task: its address in the root task's space, where the root task
// reads and writes what a probe sees through its own mapping. 0 if σ0 refused (diagnosed).
uint32_t grab_page();

// Copies the probe image into σ0 pages. False if σ0 could not provide them.
bool probes_init();

struct Probe {
    const char* name = nullptr;
    axo_thread_id_t id = AXO_NIL_THREAD;
    uint32_t utcb = PROBE_UTCB;
    uint32_t stack_alias = 0; // the root task's address of the probe's stack page
    uint32_t data_alias = 0;  // ... of its data page (PROBE_DATA)
    // One more page the root task maps where the probe faults on `extra_address`.
    uint32_t extra_address = 0, extra_alias = 0;
    // If set, the page for a fault anywhere else (instead of leaving the probe stuck).
    uint32_t fallback_alias = 0;
    bool created = false;
    bool waiting = false; // blocked in its report call: it takes a command
    bool stuck = false;   // a fault the root task would not resolve: it reports no more
    uint32_t status = 0, value[3] = {};
    uint32_t exceptions = 0; // exception IPCs answered (each restarted the probe)
    uint32_t vector = 0, error = 0, eip = 0, address = 0; // of the last one
    uint32_t page_faults = 0;
    uint32_t stack_top = PROBE_STACK_TOP; // where an exception restarts it
};

// Creates the probe's thread in a new space, inactive, with its pages from σ0. The UTCB
// location may be moved (p.utcb) before. False (diagnosed) on any error.
bool create(Probe& p, const char* name);
// Creates a second probe thread in `sibling`'s space (sharing its pages), inactive, with its
// UTCB at p.utcb, to start with start(p, stack_top) on a part of the stack page the sibling
// does not use.
bool create_in(Probe& p, const char* name, const Probe& sibling);
// space_control on the probe's space. Returns the error; *blocks, *slot as the kernel said.
uint32_t space_control(const Probe& p, uint32_t control, uint32_t arg, uint32_t* blocks = nullptr,
                       uint32_t* slot = nullptr);
// Starts a created probe and waits for its first report, then has it touch its code and
// data pages, so that later measurements and waits see no page faults (a fault while the
// root task is not receiving from anyone would stall the probe). False (diagnosed) on error.
bool start(Probe& p, uint32_t stack_top = PROBE_STACK_TOP);
// Deletes the probe's thread, and with it its space. Returns the error.
uint32_t destroy(Probe& p);

struct Command {
    uint32_t op;
    uint32_t a[7];
    // An optional map item in the command: the root task's page `map_alias` lands at
    // `map_to` in the probe's space (its receive window is the whole space).
    uint32_t map_to = 0, map_alias = 0, map_rights = AXO_FPAGE_R | AXO_FPAGE_W;
};

// Sends a command to a waiting probe (without waiting for the result).
bool send(Probe& p, const Command& c);
// Serves page faults and exceptions of every probe until `p` reports. False (diagnosed) on
// timeout or if p got stuck.
bool await(Probe& p, uint32_t timeout_us = kAwaitUs);
// send + await.
bool run(Probe& p, const Command& c, uint32_t timeout_us = kAwaitUs);

// A memory access by the probe. faulted: an exception IPC came instead of the result (then
// p.vector etc. tell which); ran: the probe reported at all.
struct Access {
    bool ran;
    bool faulted;
    uint32_t value;
};
Access access(Probe& p, uint32_t op, uint32_t address, uint32_t value = 0);

// Blocks for `us` microseconds (a closed receive from σ0, which never sends unasked).
void sleep_us(uint32_t us);

const char* vector_name(uint32_t vector);

} // namespace ss
