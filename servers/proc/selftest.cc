// proc's self-test: a test thread and helper threads in proc's own space act as clients of
// the proc thread that serves. Everything goes through real IPC and the real dispatcher; the
// test reads proc's state (its table, the dispatcher's statistics, the boot configuration)
// directly, since it shares the address space.
//
// Threads (numbers from kFirstThread, version 1, never reused):
//   tester   runs the tests, prints TAP, ends the run
//   agent    a second client the tester drives over RPC (the framework again: it serves a
//            small test protocol with its own Dispatcher and calls proc from its handler)
//   mortal   registers names, then the tester deletes it: its names must go
//   vanisher sends a request and never waits for the reply: proc must not block on it
//   echo 1/2 a named server, killed and replaced, for the re-lookup of names::Service
#include "servers/proc/selftest.h"

#include "rt/rt.h"
#include "rt/tap.h"

#include "lib/ipc/kernel.h"
#include "lib/names/names.h"

extern "C" void _start(); // lib/rt/crt0.S: proc's entry

namespace proc {
namespace {

// ---- TAP -----------------------------------------------------------------------------------

// TAP through lib/rt (shared by every guest test).
using rt::tap::check;
using rt::tap::diag;

void skip(const char* what, const char* why) {
    rt_tap_skip(why, "%s", what);
}

// "ok" or the error's name, for descriptions.
const char* name_of(ipc::Error error) {
    return ipc::error_name(error);
}

// Checks that `got` is `want`, describing the step.
__attribute__((format(printf, 3, 4))) bool expect(ipc::Error got, ipc::Error want, const char* fmt,
                                                  ...) {
    char what[160];
    va_list args;
    va_start(args, fmt);
    rt_vsnprintf(what, sizeof what, fmt, args);
    va_end(args);
    if (got == want) return check(true, "%s: %s", what, name_of(want));
    return check(false, "%s: got %s (%u), expected %s", what, name_of(got),
                 static_cast<uint32_t>(got), name_of(want));
}

// ---- Environment ---------------------------------------------------------------------------

Proc* g_proc;
const Dispatcher* g_dispatcher;
axo_thread_id_t g_server; // proc's serving thread (the root task's initial thread)
axo_thread_id_t g_tester;

// Every wait of the test is bounded: a broken server fails tests instead of hanging the run.
constexpr uint32_t kCallTimeoutUs = 1000000;
axo_timeout_t call_timeout() {
    return axo_timeout_us(kCallTimeoutUs);
}

// The kernel transport with a bounded timeout whatever the caller asked for, so that the
// names:: helpers (which wait forever) cannot hang the test.
class BoundedTransport {
public:
    ipc::Message message() { return m_kernel.message(); }
    uint32_t call(axo_thread_id_t to, uint32_t) {
        return m_kernel.call(to, axo_timeouts(call_timeout(), call_timeout()));
    }

private:
    ipc::KernelTransport m_kernel;
};

void sleep_us(uint32_t us) {
    // σ0 never sends unasked: only the timeout ends this receive.
    axo_ipc_receive(rt_kip()->sigma0, axo_timeout_us(us));
}

// What a hand-made message got back.
struct RawResult {
    bool failed;
    uint32_t error_word; // if failed
    uint32_t label;
    uint32_t untyped;
};

// A call with an arbitrary label and `count` words, bypassing the framework: how a broken or
// hostile client talks.
RawResult raw_call(axo_thread_id_t to, uint32_t label, uint32_t count, const uint32_t* words,
                   axo_timeout_t timeout) {
    axo_utcb_t* utcb = axo_my_utcb();
    for (uint32_t i = 0; i < count; ++i)
        utcb->mr[1 + i] = words[i];
    utcb->mr[0] = axo_msg_tag(label, count, 0);
    axo_msg_tag_t tag = axo_ipc_call(to, axo_timeouts(timeout, timeout));
    return {axo_tag_failed(tag) != 0, utcb->error, axo_tag_label(tag), axo_tag_untyped(tag)};
}

// ---- Threads ---------------------------------------------------------------------------------

constexpr uint32_t kFirstThread = 64; // proc's main thread is 33; nothing else uses these
constexpr uint32_t kMaxThreads = 8;
constexpr uint32_t kStackSize = 8192;
alignas(16) uint8_t g_stacks[kMaxThreads][kStackSize];
uint32_t g_threads_started;

axo_thread_id_t start_thread(void (*fn)(void*), void* arg) {
    if (g_threads_started == kMaxThreads) {
        diag("selftest: more than %u threads", kMaxThreads);
        return AXO_NIL_THREAD;
    }
    uint32_t index = g_threads_started++;
    axo_thread_id_t id = axo_thread_id(kFirstThread + index, 1);
    uint32_t error = rt_thread_start(id, fn, arg, g_stacks[index] + kStackSize, rt_utcb_slot(index),
                                     AXO_NIL_THREAD);
    if (error != AXO_OK) {
        diag("selftest: starting thread %u failed: error %u", kFirstThread + index, error);
        return AXO_NIL_THREAD;
    }
    return id;
}

// Helpers report to the tester with this label.
constexpr uint32_t kLabelDone = 0xD0;

void send_done(uint32_t value) {
    axo_utcb_t* utcb = axo_my_utcb();
    utcb->mr[0] = axo_msg_tag(kLabelDone, 1, 0);
    utcb->mr[1] = value;
    axo_ipc_send(g_tester, call_timeout());
}

// The value a helper reported, or 0xFFFFFFFF if it said nothing in time.
uint32_t wait_done(axo_thread_id_t from) {
    axo_utcb_t* utcb = axo_my_utcb();
    axo_ipc_receive(from, call_timeout());
    axo_msg_tag_t tag = utcb->mr[0];
    if (axo_tag_failed(tag) || axo_tag_label(tag) != kLabelDone || axo_tag_untyped(tag) != 1)
        return 0xFFFFFFFFu;
    return utcb->mr[1];
}

// Polls the name service until `name` resolves to `server` (a helper registering it).
bool wait_for_name(const char* name, axo_thread_id_t server) {
    BoundedTransport transport;
    for (int attempt = 0; attempt < 200; ++attempt) {
        axo_thread_id_t found = AXO_NIL_THREAD;
        if (names::lookup(transport, g_server, name, found) == ipc::Error::ok && found == server)
            return true;
        sleep_us(1000);
    }
    return false;
}

// ---- The agent: a second client, driven by the tester ------------------------------------------

enum AgentOperation : uint32_t { kAgentRegister, kAgentUnregister, kAgentLookup };

struct AgentReply {
    uint32_t error; // the ipc::Error the agent got from proc
    axo_thread_id_t server;
};
struct AgentRequest {
    static constexpr uint32_t kLabel = AXO_LABELS_TEST_FIRST + 0xA00;
    using Reply = AgentReply;
    uint32_t operation;
    axo_thread_id_t server;   // for kAgentRegister
    axo_thread_id_t forge_id; // non-nil: write it into the UTCB's my_id around the call
    Name name;
};
static_assert(ipc::wire_words<AgentRequest> == 11);

struct Agent {};

// Calls proc from inside a handler: the framework copied the request out of the registers
// before, and writes the reply after, so the nested call may use them freely.
ipc::Error on_agent(Agent&, axo_thread_id_t from, const AgentRequest& request, AgentReply& reply) {
    if (from != g_tester) return ipc::Error::no_permission;
    if (!request.name.terminated()) return ipc::Error::invalid_argument;
    axo_utcb_t* utcb = axo_my_utcb();
    axo_thread_id_t own_id = utcb->my_id;
    if (request.forge_id != AXO_NIL_THREAD) utcb->my_id = request.forge_id;
    BoundedTransport transport;
    ipc::Error error = ipc::Error::bad_operation;
    reply.server = AXO_NIL_THREAD;
    switch (request.operation) {
    case kAgentRegister:
        error = names::register_name(transport, g_server, request.name.c_str(), request.server);
        break;
    case kAgentUnregister:
        error = names::unregister_name(transport, g_server, request.name.c_str());
        break;
    case kAgentLookup:
        error = names::lookup(transport, g_server, request.name.c_str(), reply.server);
        break;
    }
    utcb->my_id = own_id;
    reply.error = static_cast<uint32_t>(error);
    return ipc::Error::ok;
}

constexpr ipc::Route<Agent> kAgentRoutes[] = {ipc::route<&on_agent>()};

void agent_main(void*) {
    Agent agent;
    ipc::Dispatcher<Agent> dispatcher(agent, kAgentRoutes);
    ipc::serve(dispatcher);
}

axo_thread_id_t g_agent;

// Has the agent do `operation`; the agent's own result, or the transport's error.
ipc::Error agent_do(AgentOperation operation, const char* name,
                    axo_thread_id_t server = AXO_NIL_THREAD,
                    axo_thread_id_t forge_id = AXO_NIL_THREAD, axo_thread_id_t* found = nullptr) {
    AgentRequest request{};
    request.operation = operation;
    request.server = server;
    request.forge_id = forge_id;
    if (!request.name.set(name)) return ipc::Error::invalid_argument;
    AgentReply reply{};
    ipc::Error error = ipc::call(g_agent, request, reply, call_timeout());
    if (error != ipc::Error::ok) {
        diag("the agent did not answer: %s", name_of(error));
        return error;
    }
    if (found != nullptr) *found = reply.server;
    return static_cast<ipc::Error>(reply.error);
}

// ---- The other helpers ---------------------------------------------------------------------

// Registers two names, reports, then waits to be deleted.
void mortal_main(void*) {
    BoundedTransport transport;
    ipc::Error a = names::register_name(transport, g_server, "victim");
    ipc::Error b = names::register_name(transport, g_server, "victim-too");
    send_done(a == ipc::Error::ok && b == ipc::Error::ok ? 1 : 0);
}

// Sends a well-formed lookup but never receives the reply: it parks in a receive from itself.
void vanisher_main(void*) {
    axo_utcb_t* utcb = axo_my_utcb();
    NameLookupRequest request{};
    (void)request.name.set("alpha");
    ipc::Message message(utcb->mr);
    ipc::put(message, NameLookupRequest::kLabel, request);
    axo_msg_tag_t tag = axo_ipc_send(g_server, call_timeout());
    send_done(axo_tag_failed(tag) ? 0 : 1);
}

struct EchoReply {
    uint32_t value;
    axo_thread_id_t server;
};
struct EchoRequest {
    static constexpr uint32_t kLabel = AXO_LABELS_TEST_FIRST + 0xE00;
    using Reply = EchoReply;
    uint32_t value;
};
struct Echo {};
ipc::Error on_echo(Echo&, axo_thread_id_t, const EchoRequest& request, EchoReply& reply) {
    reply.value = request.value + 1;
    reply.server = rt_my_id();
    return ipc::Error::ok;
}
constexpr ipc::Route<Echo> kEchoRoutes[] = {ipc::route<&on_echo>()};

void echo_main(void*) {
    BoundedTransport transport;
    ipc::Error error = names::register_name(transport, g_server, "echo");
    if (error != ipc::Error::ok) diag("echo: registering failed: %s", name_of(error));
    Echo echo;
    ipc::Dispatcher<Echo> dispatcher(echo, kEchoRoutes);
    ipc::serve(dispatcher);
}

// ---- The tests -------------------------------------------------------------------------------

bool same_name(const char* a, const char* b) {
    return strcmp(a, b) == 0;
}

// demo is a copy of proc's own file (servers/proc/CMakeLists.txt), vga a text file.
void module_image_tests(const BootConfig& config) {
    const ModuleImage* demo = nullptr;
    const ModuleImage* vga = nullptr;
    for (uint32_t i = 0; i < config.module_count; ++i) {
        if (same_name(config.modules[i].name, "demo")) demo = &g_proc->images[i];
        if (same_name(config.modules[i].name, "vga")) vga = &g_proc->images[i];
    }
    check(demo != nullptr && demo->program &&
              demo->elf.entry == reinterpret_cast<uintptr_t>(&_start),
          "module image: demo, mapped through sigma0, is a program with proc's own entry");
    // Its text, read from the module, is the text proc runs: the contents really are there.
    bool same_text = false;
    if (demo != nullptr && demo->program) {
        const axo::elf::Segment& text = demo->elf.segments[0];
        same_text = text.executable && text.filesz > 0 && text.offset + text.filesz <= demo->size &&
                    memcmp(demo->data + text.offset,
                           reinterpret_cast<const void*>(uintptr_t{text.vaddr}), text.filesz) == 0;
    }
    check(same_text, "module image: demo's text segment is byte for byte the text proc runs");
    check(vga != nullptr && vga->data != nullptr && !vga->program,
          "module image: vga, mapped too, is refused as a program (%s)",
          vga != nullptr && vga->why != nullptr ? vga->why : "-");
}

void config_tests() {
    const BootConfig& config = *g_proc->config;
    check(config.self_valid && config.self.has_argument("selftest"),
          "boot config: proc's own module line has the argument selftest");
    if (rt_kip()->module_count <= 2) {
        skip("boot config: the test's extra modules", "booted without them");
        return;
    }
    // tests/system/proc.cmake: demo (ports, irq, an argument), vga (memory), and two lines
    // that must be rejected (irq 99; irq 4 again).
    const ModuleConfig* demo = config.find("demo");
    check(demo != nullptr && demo->port_count == 1 && demo->ports[0].first == 0x3f8 &&
              demo->ports[0].last == 0x3ff && demo->irq_count == 1 && demo->irqs[0] == 4 &&
              demo->argument_count == 1 && demo->has_argument("verbose") && demo->size > 0,
          "boot config: module demo has ports 0x3f8-0x3ff, irq 4 and the argument verbose");
    const ModuleConfig* vga = config.find("vga");
    check(vga != nullptr && vga->memory_count == 1 && vga->memory[0].first == 0xb8000 &&
              vga->memory[0].last == 0xbffff && vga->port_count == 0 && vga->irq_count == 0,
          "boot config: module vga has memory 0xb8000-0xbffff");
    module_image_tests(config);
    check(config.module_count == 2 && config.rejected_count == 2 && config.find("bad") == nullptr &&
              config.find("twin") == nullptr,
          "boot config: an IRQ out of range and an IRQ already granted are rejected (%u accepted, "
          "%u rejected)",
          config.module_count, config.rejected_count);
}

void register_lookup_tests() {
    BoundedTransport transport;
    axo_thread_id_t found = AXO_NIL_THREAD;
    expect(names::register_name(transport, g_server, "alpha"), ipc::Error::ok,
           "the tester registers alpha");
    expect(names::register_name(transport, g_server, "alpha"), ipc::Error::ok,
           "registering the same binding again (a retry)");
    ipc::Error error = names::lookup(transport, g_server, "alpha", found);
    check(error == ipc::Error::ok && found == g_tester,
          "lookup of alpha gives the tester's id (%s, %x)", name_of(error), found);
    error = agent_do(kAgentLookup, "alpha", AXO_NIL_THREAD, AXO_NIL_THREAD, &found);
    check(error == ipc::Error::ok && found == g_tester,
          "another thread's lookup of alpha gives the tester's id (%s, %x)", name_of(error), found);
    expect(names::lookup(transport, g_server, "missing", found), ipc::Error::no_such_name,
           "lookup of a name never registered");
    expect(names::register_name(transport, g_server, "thirty-one-characters-long-name"),
           ipc::Error::ok, "a name of 31 characters");
    expect(names::register_name(transport, g_server, "thirty-two-characters-long-name!"),
           ipc::Error::invalid_argument, "a name of 32 characters (refused by the client)");
    expect(names::unregister_name(transport, g_server, "thirty-one-characters-long-name"),
           ipc::Error::ok, "the owner unregisters it");
}

void ownership_tests() {
    BoundedTransport transport;
    expect(agent_do(kAgentRegister, "alpha"), ipc::Error::exists,
           "another thread registering alpha");
    expect(agent_do(kAgentUnregister, "alpha"), ipc::Error::no_permission,
           "another thread unregistering alpha");
    expect(agent_do(kAgentUnregister, "alpha", AXO_NIL_THREAD, g_tester), ipc::Error::no_permission,
           "another thread unregistering alpha with the owner's id forged into its UTCB");
    expect(agent_do(kAgentRegister, "forged", g_tester), ipc::Error::no_permission,
           "another thread registering a name for the tester's thread");
    axo_thread_id_t found = AXO_NIL_THREAD;
    ipc::Error error = names::lookup(transport, g_server, "alpha", found);
    check(error == ipc::Error::ok && found == g_tester, "alpha still belongs to the tester");

    // The per-owner quota, and names of the agent's own.
    char name[16];
    uint32_t registered = 0;
    for (uint32_t i = 0; i < kNamesPerOwner; ++i) {
        rt_snprintf(name, sizeof name, "quota-%u", i);
        if (agent_do(kAgentRegister, name) == ipc::Error::ok) ++registered;
    }
    check(registered == kNamesPerOwner, "a thread registers %u names (%u did)", kNamesPerOwner,
          registered);
    expect(agent_do(kAgentRegister, "quota-over"), ipc::Error::no_space, "its name number %u",
           kNamesPerOwner + 1);
    expect(names::unregister_name(transport, g_server, "quota-0"), ipc::Error::no_permission,
           "the tester unregistering one of the agent's names");
    uint32_t unregistered = 0;
    for (uint32_t i = 0; i < kNamesPerOwner; ++i) {
        rt_snprintf(name, sizeof name, "quota-%u", i);
        if (agent_do(kAgentUnregister, name) == ipc::Error::ok) ++unregistered;
    }
    check(unregistered == kNamesPerOwner, "the agent unregisters its %u names (%u did)",
          kNamesPerOwner, unregistered);
}

void bad_name_tests() {
    BoundedTransport transport;
    axo_thread_id_t found;
    expect(names::register_name(transport, g_server, ""), ipc::Error::invalid_argument,
           "registering the empty name");
    expect(names::register_name(transport, g_server, "two words"), ipc::Error::invalid_argument,
           "registering a name with a space");
    expect(names::lookup(transport, g_server, "tab\there", found), ipc::Error::invalid_argument,
           "looking up a name with a control character");
    // 32 bytes without a terminator: only a hand-made message can say that.
    uint32_t words[8];
    memset(words, 'x', sizeof words);
    RawResult r = raw_call(g_server, kNameLookup, 8, words, call_timeout());
    check(!r.failed && r.label == static_cast<uint32_t>(ipc::Error::invalid_argument) &&
              r.untyped == 0,
          "a name without a terminator: invalid argument, no words (label %u, %u words)", r.label,
          r.untyped);
}

void malformed_message_tests() {
    ipc::DispatchStats before = g_dispatcher->stats();
    uint32_t words[ipc::kMaxWords] = {};

    RawResult r = raw_call(g_server, AXO_LABELS_NAMES_LAST, 0, words, call_timeout());
    check(!r.failed && r.label == static_cast<uint32_t>(ipc::Error::bad_operation),
          "an unknown label of the name service gets the error bad operation (label %u)", r.label);
    // kMmAttach's label with the words of a lookup: another interface's request is refused,
    // never taken for one of the name service's operations.
    r = raw_call(g_server, AXO_LABELS_MM_FIRST, 8, words, call_timeout());
    check(!r.failed && r.label == static_cast<uint32_t>(ipc::Error::wrong_interface) &&
              r.untyped == 0,
          "a label of mm's interface gets the error wrong interface (label %u)", r.label);
    r = raw_call(g_server, kNameLookup, 3, words, call_timeout());
    check(!r.failed && r.label == static_cast<uint32_t>(ipc::Error::bad_message) && r.untyped == 0,
          "a lookup of 3 words instead of 8 gets bad message (label %u)", r.label);
    r = raw_call(g_server, kNameLookup, 9, words, call_timeout());
    check(!r.failed && r.label == static_cast<uint32_t>(ipc::Error::bad_message),
          "a lookup of 9 words instead of 8 gets bad message (label %u)", r.label);
    r = raw_call(g_server, kNameRegister, ipc::kMaxWords, words, call_timeout());
    check(!r.failed && r.label == static_cast<uint32_t>(ipc::Error::bad_message),
          "a register of 63 words gets bad message (label %u)", r.label);
    r = raw_call(g_server, kNameUnregister, 0, words, call_timeout());
    check(!r.failed && r.label == static_cast<uint32_t>(ipc::Error::bad_message),
          "an unregister of no words gets bad message (label %u)", r.label);

    ipc::DispatchStats after = g_dispatcher->stats();
    check(after.bad_operations == before.bad_operations + 1 &&
              after.wrong_interfaces == before.wrong_interfaces + 1 &&
              after.bad_messages == before.bad_messages + 4,
          "the dispatcher counted 1 unknown label, 1 foreign label and 4 bad messages "
          "(%u, %u, %u)",
          after.bad_operations - before.bad_operations,
          after.wrong_interfaces - before.wrong_interfaces,
          after.bad_messages - before.bad_messages);

    // A kernel-protocol label nobody handles is dropped: the caller waits in vain.
    r = raw_call(g_server, AXO_LABEL_PAGE_FAULT | AXO_FPAGE_W, 2, words, axo_timeout_us(20000));
    check(r.failed && axo_ipc_error_code(r.error_word) == AXO_IPC_TIMEOUT &&
              axo_ipc_error_in_receive(r.error_word),
          "a page-fault label from a thread is not answered (receive timeout)");
    check(g_dispatcher->stats().kernel_messages == before.kernel_messages + 1,
          "the dispatcher counted it as a dropped kernel message");

    BoundedTransport transport;
    axo_thread_id_t found = AXO_NIL_THREAD;
    ipc::Error error = names::lookup(transport, g_server, "alpha", found);
    check(error == ipc::Error::ok && found == g_tester,
          "after all that, the server still serves (%s)", name_of(error));
}

void vanished_client_tests() {
    uint32_t failed_before = g_dispatcher->stats().failed_replies;
    axo_thread_id_t vanisher = start_thread(&vanisher_main, nullptr);
    check(vanisher != AXO_NIL_THREAD && wait_done(vanisher) == 1,
          "a client sends a lookup and does not wait for the reply");
    BoundedTransport transport;
    axo_thread_id_t found = AXO_NIL_THREAD;
    ipc::Error error = names::lookup(transport, g_server, "alpha", found);
    check(error == ipc::Error::ok && found == g_tester,
          "the server serves the next client at once (%s)", name_of(error));
    check(g_dispatcher->stats().failed_replies == failed_before + 1,
          "the undeliverable reply was counted and dropped (%u)",
          g_dispatcher->stats().failed_replies - failed_before);
}

// The process operations from one of proc's own threads, which acts as proc itself. No
// program is started here (tests/guest/userland_core does that): only the answers that need
// none.
void process_operation_tests() {
    SpawnRequest spawn{};
    (void)spawn.image.set("vga");
    SpawnReply spawn_reply;
    expect(ipc::call(g_server, spawn, spawn_reply, call_timeout()), ipc::Error::unsupported,
           "spawn of vga, a module that is no program");
    (void)spawn.image.set("nosuchmodule");
    expect(ipc::call(g_server, spawn, spawn_reply, call_timeout()), ipc::Error::not_found,
           "spawn of a module that does not exist");
    ExitRequest exit_request{};
    ipc::Empty empty;
    expect(ipc::call(g_server, exit_request, empty, call_timeout()), ipc::Error::not_found,
           "exit from a thread that is no process");
    WaitRequest wait{};
    WaitReply wait_reply;
    expect(ipc::call(g_server, wait, wait_reply, call_timeout()), ipc::Error::not_found,
           "wait for any child, with none");
    KillRequest kill{12345, kSignalKill};
    expect(ipc::call(g_server, kill, empty, call_timeout()), ipc::Error::not_found,
           "kill of a process that does not exist");
    StatisticsReply statistics{};
    ipc::Error error = ipc::call(g_server, StatisticsRequest{}, statistics, call_timeout());
    check(error == ipc::Error::ok && statistics.processes == 0 && statistics.pool_in_use == 0,
          "statistics: no process, no page in use (%s, %u, %u)", name_of(error),
          statistics.processes, statistics.pool_in_use);
    uint32_t words[4] = {};
    RawResult r = raw_call(g_server, kProcSpawn, 4, words, call_timeout());
    check(!r.failed && r.label == static_cast<uint32_t>(ipc::Error::bad_message),
          "a spawn of the wrong size gets bad message (label %u)", r.label);
}

void owner_death_tests() {
    BoundedTransport transport;
    uint32_t size_before = g_proc->names.table().size();
    axo_thread_id_t mortal = start_thread(&mortal_main, nullptr);
    check(mortal != AXO_NIL_THREAD && wait_done(mortal) == 1,
          "a thread registers victim and victim-too");
    check(g_proc->names.table().size() == size_before + 2, "the table holds 2 more names");
    check(rt_thread_delete(mortal) == AXO_OK, "the thread is deleted");
    axo_thread_id_t found = AXO_NIL_THREAD;
    expect(names::lookup(transport, g_server, "victim", found), ipc::Error::no_such_name,
           "lookup of the dead thread's name");
    check(g_proc->names.table().size() == size_before,
          "both of its names are gone from the table (%u to %u)", size_before + 2,
          g_proc->names.table().size());
    expect(agent_do(kAgentRegister, "victim"), ipc::Error::ok,
           "another thread takes the dead thread's name");
    expect(agent_do(kAgentUnregister, "victim"), ipc::Error::ok, "and gives it back");
}

void unregister_tests() {
    BoundedTransport transport;
    axo_thread_id_t found = AXO_NIL_THREAD;
    expect(names::unregister_name(transport, g_server, "alpha"), ipc::Error::ok,
           "the owner unregisters alpha");
    expect(names::lookup(transport, g_server, "alpha", found), ipc::Error::no_such_name,
           "lookup of alpha after that");
    expect(names::unregister_name(transport, g_server, "alpha"), ipc::Error::no_such_name,
           "unregistering alpha twice");
}

void rebinding_tests() {
    axo_thread_id_t first = start_thread(&echo_main, nullptr);
    if (!check(first != AXO_NIL_THREAD && wait_for_name("echo", first),
               "an echo server registers echo"))
        return;

    names::Service echo("echo");
    EchoReply reply{};
    ipc::Error error = echo.call_idempotent(EchoRequest{41}, reply, call_timeout());
    check(error == ipc::Error::ok && reply.value == 42 && reply.server == first &&
              echo.lookups() == 1,
          "names::Service looks echo up and calls it (%s, %u lookups)", name_of(error),
          echo.lookups());

    // The server dies and a new one takes over the name: a restart, as proc will do it.
    check(rt_thread_delete(first) == AXO_OK, "the echo server is deleted");
    axo_thread_id_t second = start_thread(&echo_main, nullptr);
    if (!check(second != AXO_NIL_THREAD && wait_for_name("echo", second),
               "a new echo server takes the name over"))
        return;
    reply = {};
    error = echo.call_idempotent(EchoRequest{99}, reply, call_timeout());
    check(error == ipc::Error::ok && reply.value == 100 && reply.server == second &&
              echo.lookups() == 2,
          "the next idempotent call finds the old server gone, looks echo up again and reaches "
          "the new one (%s, %u lookups)",
          name_of(error), echo.lookups());

    check(rt_thread_delete(second) == AXO_OK, "the new echo server is deleted too");
    error = echo.call_once(EchoRequest{1}, reply, call_timeout());
    check(error == ipc::Error::server_gone && echo.server() == AXO_NIL_THREAD,
          "call_once reports server gone and forgets the server (%s)", name_of(error));
    error = echo.call_once(EchoRequest{1}, reply, call_timeout());
    check(error == ipc::Error::no_such_name,
          "with nobody registered, the next call says no such name (%s)", name_of(error));
}

[[noreturn]] void finish() {
    const ipc::DispatchStats& stats = g_dispatcher->stats();
    diag("proc's dispatcher: %u messages, %u errors, %u unknown labels, %u bad messages, "
         "%u kernel messages dropped, %u failed replies",
         stats.messages, stats.errors, stats.bad_operations, stats.bad_messages,
         stats.kernel_messages, stats.failed_replies);
    rt_tap_end();
    uint32_t error = axo_debug_shutdown(rt_tap_failures() ? 1 : 0);
    diag("debug_shutdown returned %u", error);
    rt_park();
}

void tester_main(void*) {
    rt_printf("TAP version 13\n");
    g_tester = rt_my_id();
    config_tests();
    g_agent = start_thread(&agent_main, nullptr);
    if (!check(g_agent != AXO_NIL_THREAD, "the agent thread starts")) finish();
    register_lookup_tests();
    ownership_tests();
    bad_name_tests();
    malformed_message_tests();
    vanished_client_tests();
    process_operation_tests();
    owner_death_tests();
    unregister_tests();
    rebinding_tests();
    finish();
}

alignas(16) uint8_t g_tester_stack[16384];

} // namespace

void start_selftest(Proc& proc, const Dispatcher& dispatcher) {
    g_proc = &proc;
    g_dispatcher = &dispatcher;
    g_server = rt_my_id();
    // The tester takes the thread number before the helpers' (kFirstThread - 1) and the UTCB
    // slot after theirs.
    axo_thread_id_t tester = axo_thread_id(kFirstThread - 1, 1);
    uint32_t error =
        rt_thread_start(tester, &tester_main, nullptr, g_tester_stack + sizeof g_tester_stack,
                        rt_utcb_slot(kMaxThreads), AXO_NIL_THREAD);
    if (error != AXO_OK) {
        rt_printf("proc: starting the self-test failed: error %u\n", error);
        rt_printf("Bail out! no self-test thread\n");
        axo_debug_shutdown(1);
    }
}

} // namespace proc
