// The mm test's root task: TAP, mm started from its boot module, the helper threads of the root
// task, and client spaces paged by mm (client_protocol.h).
//
// Threads of the root task:
//   main        the tests; receives the clients' reports and sends them commands;
//   mm pager    mm's pager and exception handler (lib/loader's handle_fault: mm's image,
//               .bss and stack come from the root task's PagePool);
//   image pager an external pager for mm: serves the client image (kMmPagerWait);
//   supervisor  every client's exception handler and mm fault handler: records notices and
//               exceptions, and reflects or resolves refused faults (FaultPolicy).
//
// Every wait is bounded; a client that does not report fails its test, not the run.
#pragma once

#include "interfaces/mm/protocol.h"
#include "lib/ipc/kernel.h"
#include "rt/rt.h"
#include "rt/tap.h"

#include "client_protocol.h"

namespace mt {

// ---- TAP -----------------------------------------------------------------------------------

void tap_begin();
// check, diag, skip: lib/rt's (rt/tap.h).
using rt::tap::check;
using rt::tap::diag;
using rt::tap::skip;
// The plan, the end marker, then debug_shutdown.
[[noreturn]] void tap_finish();

// ---- mm
// ------------------------------------------------------------------------------------------

constexpr uint32_t kPage = 4096;
// Bochs is slow and a command may first fault its code in.
constexpr uint32_t kReportTimeoutUs = 10000000;
constexpr uint32_t kCallTimeoutUs = 5000000;
constexpr uint32_t kCodeCookie = 0xC0DE;

// Makes mm a σ0 client, maps its boot module ("mm") and spawns it (lib/loader) with the mm
// pager thread as its pager. False (after a diagnostic) if anything fails.
bool start_mm();
axo_thread_id_t mm_thread();
axo_thread_id_t supervisor_thread();
axo_thread_id_t image_pager_thread();
// mm's page faults and exceptions that the mm pager could not serve (mm crashed).
uint32_t mm_crashes();
// Faults mm forwarded that the image pager answered with a page.
uint32_t image_pages_served();

// A request to mm from the main thread, bounded.
template <ipc::Request Req> ipc::Error mm_call(const Req& request, typename Req::Reply& reply) {
    return ipc::call(mm_thread(), request, reply, axo_timeout_us(kCallTimeoutUs));
}
// mm's statistics about `client` (nil: mm's totals only); zeros if the call fails.
mm::StatisticsReply stats(axo_thread_id_t client = AXO_NIL_THREAD);

// ---- The supervisor
// ---------------------------------------------------------------------------------

enum class FaultPolicy {
    reflect, // pager nil + kMmFaultRetry release: the client gets the fault as an exception
    resolve, // kMmProtect rw on the page + kMmFaultRetry: the client goes on
};
void set_policy(FaultPolicy policy);

struct NoticeRecord {
    uint32_t count;
    mm::FaultNotice notice;
    uint32_t retry_error; // of the supervisor's kMmFaultRetry (an ipc::Error)
};
struct ExceptionRecord {
    uint32_t count;
    axo_thread_id_t thread;
    uint32_t vector, error, address, eip;
};
NoticeRecord last_notice();
ExceptionRecord last_exception();
// Waits (bounded) until the supervisor has handled a notice after the one numbered `count`.
bool wait_notice(uint32_t count);
// Blocks the main thread for `us` microseconds.
void sleep_us(uint32_t us);

// ---- Clients
// -------------------------------------------------------------------------------------

struct Client {
    const char* name = "";
    axo_thread_id_t id = AXO_NIL_THREAD;
    bool attached = false;
};

struct Report {
    bool arrived;    // false: no report in time (error_word says why)
    uint32_t status; // client_status
    uint32_t value[4];
    uint32_t error_word;
    bool done() const { return arrived && status == CLIENT_DONE; }
    bool restarted() const { return arrived && status == CLIENT_STARTED; }
};

// A new space with a fresh thread (mm its pager, the supervisor its exception handler),
// attached to mm; with `regions`, its code (the image pager's external object) and stack
// regions too. False after a diagnostic.
bool client_create(Client& client, const char* name, uint32_t quota = mm::kNoQuota,
                   uint32_t heap = CLIENT_HEAP, bool regions = true);
// Starts it at its entry; true once it reported CLIENT_STARTED.
bool client_start(Client& client);
// Deletes its thread (and with it its space) and detaches it from mm.
void client_destroy(Client& client);

// A command and the report that follows it.
Report command(const Client& client, uint32_t op, const uint32_t (&args)[CLIENT_ARGS]);
// The command only (the client's report is collected later with wait_report).
bool send_command(const Client& client, uint32_t op, const uint32_t (&args)[CLIENT_ARGS]);
Report wait_report(const Client& client);

// Convenience forms.
bool client_read(const Client& client, uint32_t address, uint32_t* value);
bool client_write(const Client& client, uint32_t address, uint32_t value);
// The client itself calls mm: returns the reply label (an ipc::Error), 0xFFFF if the IPC or
// the command failed; *reply1, *reply2 = MR1, MR2 of the reply.
uint32_t client_mm(const Client& client, uint32_t label, uint32_t count, const uint32_t* words,
                   uint32_t* reply1 = nullptr, uint32_t* reply2 = nullptr);

// "report 2 (done) 0 0 0 0", "no report: timeout (1) in receive phase", ...
struct Text {
    char text[96];
};
Text describe(const Report& report);

} // namespace mt
