// The harness of the kernel test root task: TAP output, test threads on static stacks, and
// the "done" messages by which test threads report to the root task.
//
// Rules every test follows, so that one kernel bug fails one test instead of the run:
//   - fresh thread ids (fresh_id()), so no test sees a thread another one left behind;
//   - every wait of the root task is bounded (wait_done, wait_state): a hung thread fails
//     its test and cleanup() deletes it;
//   - cleanup() after each test deletes every thread the test created.
#pragma once

#include "rt/rt.h"
#include "rt/tap.h"

namespace kt {

// ---- TAP -----------------------------------------------------------------------------------

void begin();
// check ("ok N - description" or "not ok N - description"; no '#' in descriptions) and diag
// ("# text"): lib/rt's (rt/tap.h).
using rt::tap::check;
using rt::tap::diag;
// Prints the plan and the end marker, then shuts the machine down.
[[noreturn]] void finish();

// ---- Environment ---------------------------------------------------------------------------

extern axo_thread_id_t g_root;   // the root task's initial thread: the one running main()
extern axo_thread_id_t g_sigma0; // σ0, from the KIP

inline axo_utcb_t* utcb() {
    return axo_my_utcb();
}
inline uint64_t now_us() {
    return rt_clock_us();
}
inline uint32_t ms_to_us(uint32_t ms) {
    return ms * 1000;
}

// Blocks the caller for `us` microseconds: a closed receive from σ0, which never sends to
// anyone unasked, so only the timeout ends it.
void sleep_us(uint32_t us);

// ---- Test threads --------------------------------------------------------------------------

constexpr uint32_t kFirstTestThread = 40;
constexpr uint32_t kStackSize = 8192;

// A thread number no test has used, version 1.
axo_thread_id_t fresh_id();
// A UTCB location no thread has used.
uint32_t fresh_utcb();

struct ThreadOptions {
    uint32_t priority = 0;     // 0: the kernel's default
    uint32_t timeslice_us = 0; // 0: the kernel's default
    axo_thread_id_t exception_handler = AXO_NIL_THREAD;
};

// Creates `id` (inactive) in the root task's space, with a fresh UTCB and a stack from the
// pool, and sets its priority and time slice; cleanup() deletes it. Returns an axo_error.
uint32_t create(axo_thread_id_t id, const ThreadOptions& options = {});
// Starts a created thread in fn(arg). Returns an axo_error.
uint32_t run(axo_thread_id_t id, void (*fn)(void*), void* arg);
// create + run with a fresh id. Returns the id, or nil after printing why.
axo_thread_id_t spawn(void (*fn)(void*), void* arg, const ThreadOptions& options = {});
// The stack and the UTCB location a created thread was given.
void stack_of(axo_thread_id_t id, uintptr_t* low, uintptr_t* high);
uint32_t utcb_of(axo_thread_id_t id);
// For a thread the test deleted itself: cleanup() must not delete it again.
void forget(axo_thread_id_t id);
// Deletes every thread created since the last cleanup and restores the root task's priority.
void cleanup();

// exchange_registers without changing anything: the state word (axo_exreg_state), or
// 0xFFFFFFFF if the call failed.
uint32_t thread_state(axo_thread_id_t id);
// Polls until thread_state(id) has one of `bits` set; false after timeout_us.
bool wait_state(axo_thread_id_t id, uint32_t bits, uint32_t timeout_us = 1000000);

// ---- Reports from test threads ---------------------------------------------------------------

constexpr uint32_t kLabelDone = 0xD0;
// From a test thread: sends `value` to the root task (which waits for it with wait_done).
void send_done(uint32_t value);
// Closed receive of a done message from `from`, bounded. False (with a diagnostic) if none
// came in time.
bool wait_done(axo_thread_id_t from, uint32_t* value = nullptr, uint32_t timeout_us = 2000000);

// ---- IPC results ---------------------------------------------------------------------------

// The error word an IPC leaves in the UTCB: (code << 1) | phase.
constexpr uint32_t ipc_error_word(uint32_t code, bool receive_phase) {
    return (code << 1) | (receive_phase ? AXO_IPC_PHASE_RECEIVE : 0u);
}
// "timeout (1) in send phase", ...: for diagnostics.
struct ErrorText {
    char text[48];
};
ErrorText ipc_error_text(uint32_t word);
// True if the last IPC failed with exactly this error word.
bool ipc_failed_with(axo_msg_tag_t tag, uint32_t code, bool receive_phase);

// Sets MR0 (tag) and MR1..MRn.
void set_message(uint32_t label, uint32_t count, const uint32_t* words);

} // namespace kt
