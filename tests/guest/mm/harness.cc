#include "harness.h"

#include "rt/tap.h"

#include "interfaces/sigma0/protocol.h"
#include "lib/loader/loader.h"

extern "C" const uint8_t mm_test_client_image[];
extern "C" const uint8_t mm_test_client_image_end[];

namespace mt {

namespace {

// ---- The root task's layout
// ------------------------------------------------------------------------

constexpr uint32_t kPoolWindow = 0x20000000; // lib/loader's PagePool: mm's image and .bss
constexpr uint32_t kPoolPages = 4096;
constexpr uint32_t kImageWindow = 0x30000000;  // the client image, copied into σ0 pages
constexpr uint32_t kModuleWindow = 0x38000000; // mm's boot module, read-only

const axo_thread_id_t kMmPager = axo_thread_id(34, 1);
const axo_thread_id_t kImagePager = axo_thread_id(35, 1);
const axo_thread_id_t kSupervisor = axo_thread_id(36, 1);
const axo_thread_id_t kMm = axo_thread_id(40, 1);
constexpr uint32_t kFirstClientNumber = 48;
uint32_t g_next_client = kFirstClientNumber;

constexpr uint32_t kHelperStack = 8192;
alignas(16) uint8_t g_stacks[3][kHelperStack];

loader::PagePool g_pool;
loader::Process g_mm_process;
volatile uint32_t g_mm_crashes;

uint32_t g_code_alias[CLIENT_CODE_PAGES];
uint32_t g_code_pages;
uint32_t g_code_object; // mm's id of the image's external object, once a client made it
volatile uint32_t g_image_served;

volatile FaultPolicy g_policy = FaultPolicy::reflect;
NoticeRecord g_notice;
ExceptionRecord g_exception;

bool is_page_fault(axo_msg_tag_t tag) {
    return (axo_tag_label(tag) & ~AXO_FPAGE_RWX) == AXO_LABEL_PAGE_FAULT &&
           axo_tag_untyped(tag) == 2;
}

// ---- The mm pager: lib/loader serves mm's image, .bss and stack
// ------------------------------------------

void mm_pager_main(void*) {
    axo_utcb_t* u = axo_my_utcb();
    axo_thread_id_t from = axo_ipc_receive(AXO_ANY_THREAD, AXO_TIMEOUT_NEVER);
    for (;;) {
        axo_msg_tag_t tag = u->mr[0];
        if (axo_tag_failed(tag) || from != kMm) {
            from = axo_ipc_receive(AXO_ANY_THREAD, AXO_TIMEOUT_NEVER);
            continue;
        }
        if (is_page_fault(tag)) {
            uint32_t address = u->mr[1], ip = u->mr[2];
            bool write = axo_tag_label(tag) & AXO_FPAGE_W;
            loader::Fault fault = loader::handle_fault(g_mm_process, g_pool, address, write);
            if (fault == loader::Fault::mapped) {
                from = axo_ipc(kMm, kMm, axo_timeouts(AXO_TIMEOUT_ZERO, AXO_TIMEOUT_NEVER));
                continue;
            }
            rt_printf("# mm: page fault at %08x (ip %08x, %s) not served (%s): mm is stuck\n",
                      address, ip, write ? "write" : "read",
                      fault == loader::Fault::violation ? "outside its image" : "no memory");
        } else if (axo_tag_label(tag) == AXO_LABEL_EXCEPTION) {
            rt_printf("# mm: exception %u at eip %08x (address %08x): mm is stuck\n",
                      u->mr[AXO_EXC_VECTOR], u->mr[AXO_EXC_EIP], u->mr[AXO_EXC_ADDRESS]);
        }
        g_mm_crashes = g_mm_crashes + 1;
        from = axo_ipc_receive(AXO_ANY_THREAD, AXO_TIMEOUT_NEVER);
    }
}

// ---- The image pager: the client image, for mm
// -------------------------------------------------------

// It waits for mm's forwarded faults in kMmPagerWait calls, each answering the previous one
// (mm's protocol.h, "Stacking"); until a client's region names it, mm refuses the wait.
void image_pager_main(void*) {
    static_assert(CLIENT_MM_PAGER_WAIT == mm::kMmPagerWait);
    axo_utcb_t* u = axo_my_utcb();
    u->br[0] = AXO_FPAGE_NIL;
    uint32_t token = 0, error = 0, send_base = 0, page = 0;
    for (;;) {
        bool item = token != 0 && error == 0;
        u->mr[0] = axo_msg_tag(mm::kMmPagerWait, 2, item ? 2 : 0);
        u->mr[1] = token;
        u->mr[2] = error;
        u->mr[3] = axo_map_item_word0(send_base, 0);
        u->mr[4] = axo_fpage(page, 12, AXO_FPAGE_R | AXO_FPAGE_X);
        axo_msg_tag_t tag = axo_ipc_call(kMm, axo_timeouts(AXO_TIMEOUT_NEVER, AXO_TIMEOUT_NEVER));
        token = 0;
        if (axo_tag_failed(tag) || axo_tag_label(tag) != 0 || axo_tag_untyped(tag) != 6) {
            // No region names this thread yet: ask again soon.
            axo_ipc_receive(kMm, axo_timeout_us(10000));
            continue;
        }
        token = u->mr[1];
        uint32_t cookie = u->mr[2], offset = u->mr[3];
        send_base = u->mr[6];
        if (cookie == kCodeCookie && offset / kPage < g_code_pages) {
            error = 0;
            page = g_code_alias[offset / kPage];
            g_image_served = g_image_served + 1;
        } else {
            error = static_cast<uint32_t>(ipc::Error::not_found);
        }
    }
}

// ---- The supervisor
// -----------------------------------------------------------------------------------

void set_pager(axo_thread_id_t thread, axo_thread_id_t pager) {
    axo_exreg_t regs = {AXO_EXREG_SET_PAGER, 0, 0, 0, pager};
    uint32_t error = axo_exchange_registers(thread, &regs);
    if (error != AXO_OK) rt_printf("# supervisor: exchange_registers failed: error %u\n", error);
}

void on_notice(const mm::FaultNotice& notice) {
    g_notice.notice = notice;
    ipc::Empty empty;
    ipc::Error error;
    if (g_policy == FaultPolicy::resolve) {
        mm::ProtectRequest protect{notice.thread, notice.address & ~(kPage - 1), kPage,
                                   AXO_FPAGE_R | AXO_FPAGE_W};
        error = ipc::call(kMm, protect, empty, axo_timeout_us(kCallTimeoutUs));
        if (error == ipc::Error::ok)
            error = ipc::call(kMm, mm::FaultRetryRequest{notice.thread, 0}, empty,
                              axo_timeout_us(kCallTimeoutUs));
    } else {
        // Reflection: with no pager, the retried access is the client's exception.
        set_pager(notice.thread, AXO_NIL_THREAD);
        error = ipc::call(kMm, mm::FaultRetryRequest{notice.thread, 1}, empty,
                          axo_timeout_us(kCallTimeoutUs));
    }
    g_notice.retry_error = static_cast<uint32_t>(error);
    ++g_notice.count; // last: the main thread reads the record once the count moved
}

void on_exception(axo_thread_id_t from, axo_utcb_t* u) {
    g_exception.thread = from;
    g_exception.vector = u->mr[AXO_EXC_VECTOR];
    g_exception.error = u->mr[AXO_EXC_ERROR];
    g_exception.address = u->mr[AXO_EXC_ADDRESS];
    g_exception.eip = u->mr[AXO_EXC_EIP];
    ++g_exception.count;
    set_pager(from, kMm);
    // Restart at the entry on the stack's top: the client reports CLIENT_STARTED.
    u->mr[0] = axo_msg_tag(0, 2, 0);
    u->mr[AXO_EXC_REPLY_EIP] = CLIENT_CODE;
    u->mr[AXO_EXC_REPLY_ESP] = CLIENT_STACK_TOP;
    axo_ipc_send(from, AXO_TIMEOUT_ZERO);
}

void supervisor_main(void*) {
    axo_utcb_t* u = axo_my_utcb();
    for (;;) {
        axo_thread_id_t from = axo_ipc_receive(AXO_ANY_THREAD, AXO_TIMEOUT_NEVER);
        axo_msg_tag_t tag = u->mr[0];
        if (axo_tag_failed(tag)) continue;
        uint32_t label = axo_tag_label(tag);
        if (from == kMm && label == mm::kMmFaultNotice && axo_tag_untyped(tag) == 5) {
            mm::FaultNotice notice;
            __builtin_memcpy(&notice, &u->mr[1], sizeof notice);
            on_notice(notice);
        } else if (label == AXO_LABEL_EXCEPTION && axo_tag_untyped(tag) == AXO_EXC_WORDS) {
            on_exception(from, u);
        } else {
            rt_printf("# supervisor: label %x from %u.%u ignored\n", label, axo_thread_number(from),
                      axo_thread_version(from));
        }
    }
}

// ---- Memory of the root task
// ------------------------------------------------------------------------

uint32_t grab_page(uint32_t at) {
    axo_utcb_t* u = axo_my_utcb();
    u->br[0] = axo_fpage(at, 12, AXO_FPAGE_RWX);
    u->mr[0] = axo_msg_tag(sigma0::kSigma0AllocateAny, 1, 0);
    u->mr[1] = 12;
    axo_timeout_t t = axo_timeout_us(kCallTimeoutUs);
    axo_msg_tag_t tag = axo_ipc_call(rt_kip()->sigma0, axo_timeouts(t, t));
    u->br[0] = AXO_FPAGE_NIL;
    if (axo_tag_failed(tag) || axo_tag_label(tag) != sigma0::kSigma0Ok || axo_tag_typed(tag) != 2) {
        diag("sigma0 gave no page: tag %x, error word %x", tag, u->error);
        return 0;
    }
    memset(reinterpret_cast<void*>(at), 0, kPage);
    return at;
}

bool sigma0_add_client(axo_thread_id_t id) {
    axo_utcb_t* u = axo_my_utcb();
    u->mr[0] = axo_msg_tag(sigma0::kSigma0AddClient, 1, 0);
    u->mr[1] = id;
    axo_timeout_t t = axo_timeout_us(kCallTimeoutUs);
    axo_msg_tag_t tag = axo_ipc_call(rt_kip()->sigma0, axo_timeouts(t, t));
    return !axo_tag_failed(tag) && axo_tag_label(tag) == sigma0::kSigma0Ok;
}

// The index of the boot module whose path ends in "/name", or AXO_KIP_MAX_MODULES.
uint32_t find_module(const char* name) {
    const axo_kip_t* kip = rt_kip();
    size_t length = strlen(name);
    for (uint32_t i = 0; i < kip->module_count; ++i) {
        const char* line = kip->modules[i].cmdline;
        size_t end = 0;
        while (end < sizeof kip->modules[i].cmdline && line[end] != '\0' && line[end] != ' ')
            ++end;
        if (end < length) continue;
        bool at_start = end == length || line[end - length - 1] == '/';
        if (at_start && strncmp(line + end - length, name, length) == 0) return i;
    }
    return AXO_KIP_MAX_MODULES;
}

bool start_helpers() {
    axo_thread_id_t root = rt_my_id();
    void (*mains[3])(void*) = {&mm_pager_main, &image_pager_main, &supervisor_main};
    const axo_thread_id_t ids[3] = {kMmPager, kImagePager, kSupervisor};
    for (uint32_t i = 0; i < 3; ++i) {
        uint32_t error = rt_thread_start(ids[i], mains[i], nullptr, g_stacks[i] + kHelperStack,
                                         rt_utcb_slot(i + 1), root);
        if (error != AXO_OK) {
            diag("helper thread %u: rt_thread_start failed: error %u", axo_thread_number(ids[i]),
                 error);
            return false;
        }
    }
    return true;
}

bool copy_client_image() {
    uint32_t size = static_cast<uint32_t>(mm_test_client_image_end - mm_test_client_image);
    g_code_pages = (size + kPage - 1) / kPage;
    if (g_code_pages > CLIENT_CODE_PAGES) {
        diag("the client image has %u bytes, more than %u pages", size, CLIENT_CODE_PAGES);
        return false;
    }
    for (uint32_t i = 0; i < g_code_pages; ++i) {
        g_code_alias[i] = grab_page(kImageWindow + i * kPage);
        if (g_code_alias[i] == 0) return false;
        uint32_t n = size - i * kPage < kPage ? size - i * kPage : kPage;
        memcpy(reinterpret_cast<void*>(g_code_alias[i]), mm_test_client_image + i * kPage, n);
    }
    return true;
}

} // namespace

// ---- TAP (lib/rt's writer)
// -------------------------------------------------------------------------------------------------

void tap_begin() {
    rt_tap_begin();
}

void tap_finish() {
    rt_tap_end();
    axo_debug_shutdown(rt_tap_failures() ? 1 : 0);
    rt_park();
}

// ---- mm
// ------------------------------------------------------------------------------------------------

axo_thread_id_t mm_thread() {
    return kMm;
}
axo_thread_id_t supervisor_thread() {
    return kSupervisor;
}
axo_thread_id_t image_pager_thread() {
    return kImagePager;
}
uint32_t mm_crashes() {
    return g_mm_crashes;
}
uint32_t image_pages_served() {
    return g_image_served;
}

bool start_mm() {
    if (!start_helpers() || !copy_client_image()) return false;
    g_pool.init(kPoolWindow, kPoolPages);
    uint32_t index = find_module("mm");
    if (index == AXO_KIP_MAX_MODULES) {
        diag("no boot module named mm");
        return false;
    }
    uint32_t size = 0;
    const uint8_t* image = loader::map_boot_module(index, kModuleWindow, &size);
    if (image == nullptr) {
        diag("boot module %u (mm) could not be mapped", index);
        return false;
    }
    // σ0 knows the root task's main thread only: the mm pager fills its PagePool itself.
    if (!sigma0_add_client(kMm) || !sigma0_add_client(kMmPager)) {
        diag("sigma0 refused mm or the mm pager as a client");
        return false;
    }
    const char* why = "";
    const char* const argv[] = {"mm"};
    ipc::Error error = loader::spawn(g_mm_process, image, size, kMm, kMmPager, argv, 1, &why);
    if (error != ipc::Error::ok) {
        diag("spawning mm failed: %s (%s)", ipc::error_name(error), why);
        return false;
    }
    return true;
}

mm::StatisticsReply stats(axo_thread_id_t client) {
    mm::StatisticsReply reply{};
    ipc::Error error = mm_call(mm::StatisticsRequest{client}, reply);
    if (error != ipc::Error::ok) {
        diag("statistics: %s", ipc::error_name(error));
        reply = mm::StatisticsReply{};
    }
    return reply;
}

// ---- The supervisor's records
// ------------------------------------------------------------------------------

void set_policy(FaultPolicy policy) {
    g_policy = policy;
}
NoticeRecord last_notice() {
    return NoticeRecord{*const_cast<volatile uint32_t*>(&g_notice.count), g_notice.notice,
                        g_notice.retry_error};
}
ExceptionRecord last_exception() {
    ExceptionRecord record = g_exception;
    record.count = *const_cast<volatile uint32_t*>(&g_exception.count);
    return record;
}

void sleep_us(uint32_t us) {
    // A closed receive from σ0, which never sends unasked: only the timeout ends it.
    axo_ipc_receive(rt_kip()->sigma0, axo_timeout_us(us));
}

bool wait_notice(uint32_t count) {
    uint64_t deadline = rt_clock_us() + kReportTimeoutUs;
    while (last_notice().count == count) {
        if (rt_clock_us() > deadline) return false;
        sleep_us(1000);
    }
    return true;
}

// ---- Clients
// ---------------------------------------------------------------------------------------------

bool client_create(Client& client, const char* name, uint32_t quota, uint32_t heap, bool regions) {
    client.name = name;
    client.id = axo_thread_id(g_next_client++, 1);
    client.attached = false;
    uint32_t error =
        axo_thread_control(client.id, client.id, rt_my_id(), kMm, CLIENT_UTCB, kSupervisor);
    if (error != AXO_OK) {
        diag("client %s: thread_control failed: error %u", name, error);
        client.id = AXO_NIL_THREAD;
        return false;
    }
    ipc::Empty empty;
    ipc::Error e =
        mm_call(mm::AttachRequest{client.id, AXO_NIL_THREAD, kSupervisor, quota, heap}, empty);
    if (e != ipc::Error::ok) {
        diag("client %s: attach: %s", name, ipc::error_name(e));
        return false;
    }
    client.attached = true;
    if (!regions) return true;
    // The code: every client maps the same external object, served by the image pager.
    // mm forgets the object with the last region mapping it: then a new one is made.
    mm::RegionCreateReply made{};
    mm::RegionCreateRequest code{client.id,
                                 CLIENT_CODE,
                                 CLIENT_CODE_PAGES * kPage,
                                 AXO_FPAGE_R | AXO_FPAGE_X,
                                 mm::kRegionExternal,
                                 g_code_object,
                                 0,
                                 kImagePager,
                                 kCodeCookie};
    e = mm_call(code, made);
    if (e == ipc::Error::not_found && g_code_object != 0) {
        code.object = 0;
        e = mm_call(code, made);
    }
    if (e != ipc::Error::ok) {
        diag("client %s: code region: %s", name, ipc::error_name(e));
        return false;
    }
    g_code_object = made.object;
    e = mm_call(mm::RegionCreateRequest{client.id, CLIENT_STACK, CLIENT_STACK_PAGES * kPage,
                                        AXO_FPAGE_R | AXO_FPAGE_W, mm::kRegionAnonymous, 0, 0,
                                        AXO_NIL_THREAD, 0},
                made);
    if (e != ipc::Error::ok) {
        diag("client %s: stack region: %s", name, ipc::error_name(e));
        return false;
    }
    return true;
}

bool client_start(Client& client) {
    axo_exreg_t regs = {AXO_EXREG_SET_IP | AXO_EXREG_SET_SP | AXO_EXREG_RESUME, CLIENT_STACK_TOP,
                        CLIENT_CODE, 0, AXO_NIL_THREAD};
    uint32_t error = axo_exchange_registers(client.id, &regs);
    if (error != AXO_OK) {
        diag("client %s: exchange_registers failed: error %u", client.name, error);
        return false;
    }
    Report report = wait_report(client);
    if (!report.restarted()) {
        diag("client %s did not start: %s", client.name, describe(report).text);
        return false;
    }
    return true;
}

void client_destroy(Client& client) {
    if (client.id == AXO_NIL_THREAD) return;
    uint32_t error = axo_thread_control(client.id, AXO_NIL_THREAD, AXO_NIL_THREAD, AXO_NIL_THREAD,
                                        0, AXO_NIL_THREAD);
    if (error != AXO_OK) diag("client %s: delete failed: error %u", client.name, error);
    if (client.attached) {
        ipc::Empty empty;
        ipc::Error e = mm_call(mm::DetachRequest{client.id}, empty);
        if (e != ipc::Error::ok) diag("client %s: detach: %s", client.name, ipc::error_name(e));
    }
    client.id = AXO_NIL_THREAD;
    client.attached = false;
}

namespace {

void put_command(uint32_t op, const uint32_t (&args)[CLIENT_ARGS]) {
    axo_utcb_t* u = axo_my_utcb();
    u->mr[0] = axo_msg_tag(CLIENT_LABEL_COMMAND, 1 + CLIENT_ARGS, 0);
    u->mr[1] = op;
    for (uint32_t i = 0; i < CLIENT_ARGS; ++i)
        u->mr[2 + i] = args[i];
}

Report take_report(axo_thread_id_t from, axo_thread_id_t expected) {
    axo_utcb_t* u = axo_my_utcb();
    Report report{};
    axo_msg_tag_t tag = u->mr[0];
    if (axo_tag_failed(tag)) {
        report.error_word = u->error;
        return report;
    }
    if (from != expected || axo_tag_label(tag) != CLIENT_LABEL_REPORT ||
        axo_tag_untyped(tag) != CLIENT_REPORT_WORDS) {
        report.error_word = 0xFFFFFFFF;
        return report;
    }
    report.arrived = true;
    report.status = u->mr[1];
    for (uint32_t i = 0; i < 4; ++i)
        report.value[i] = u->mr[2 + i];
    return report;
}

} // namespace

Report command(const Client& client, uint32_t op, const uint32_t (&args)[CLIENT_ARGS]) {
    put_command(op, args);
    // The client waits for this reply in its report call: a zero send timeout reaches it.
    axo_thread_id_t from = axo_ipc(
        client.id, client.id, axo_timeouts(AXO_TIMEOUT_ZERO, axo_timeout_us(kReportTimeoutUs)));
    return take_report(from, client.id);
}

bool send_command(const Client& client, uint32_t op, const uint32_t (&args)[CLIENT_ARGS]) {
    put_command(op, args);
    axo_msg_tag_t tag = axo_ipc_send(client.id, AXO_TIMEOUT_ZERO);
    if (axo_tag_failed(tag))
        diag("client %s: command not delivered: error word %x", client.name, axo_my_utcb()->error);
    return !axo_tag_failed(tag);
}

Report wait_report(const Client& client) {
    axo_thread_id_t from = axo_ipc_receive(client.id, axo_timeout_us(kReportTimeoutUs));
    return take_report(from, client.id);
}

bool client_read(const Client& client, uint32_t address, uint32_t* value) {
    Report report = command(client, CLIENT_READ, {address});
    if (report.done())
        *value = report.value[0];
    else
        diag("client %s: read at %x: %s", client.name, address, describe(report).text);
    return report.done();
}

bool client_write(const Client& client, uint32_t address, uint32_t value) {
    Report report = command(client, CLIENT_WRITE, {address, value});
    if (!report.done())
        diag("client %s: write at %x: %s", client.name, address, describe(report).text);
    return report.done();
}

uint32_t client_mm(const Client& client, uint32_t label, uint32_t count, const uint32_t* words,
                   uint32_t* reply1, uint32_t* reply2) {
    uint32_t args[CLIENT_ARGS] = {label, count};
    for (uint32_t i = 0; i < count && i + 2 < CLIENT_ARGS; ++i)
        args[2 + i] = words[i];
    Report report = command(client, CLIENT_CALL_PAGER, args);
    if (!report.done() || axo_tag_failed(report.value[0])) {
        diag("client %s: call to mm (label %x): %s", client.name, label, describe(report).text);
        return 0xFFFF;
    }
    if (reply1) *reply1 = report.value[1];
    if (reply2) *reply2 = report.value[2];
    return axo_tag_label(report.value[0]);
}

Text describe(const Report& report) {
    Text t;
    static const char* const kStatus[] = {"?", "started", "done", "failed", "bad op"};
    if (!report.arrived) {
        rt_snprintf(t.text, sizeof t.text, "no report (error word %x)", report.error_word);
    } else {
        rt_snprintf(t.text, sizeof t.text, "report %u (%s) %x %x %x %x", report.status,
                    report.status < 5 ? kStatus[report.status] : "?", report.value[0],
                    report.value[1], report.value[2], report.value[3]);
    }
    return t;
}

} // namespace mt
