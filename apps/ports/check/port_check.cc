// port_check (README.md): runs the ports as processes with programs longer than a module line
// can hold (119 bytes): `port_check GROUP` spawns each case of GROUP (dash, lua, sqlite)
// through proc with its arguments (interfaces/process: kProcSpawnBlock), waits for it and
// prints TAP on the kernel console: one test per case, passed when the port exits with
// status 0. The port's own output goes to the same console, between the driver's lines;
// tests/system/ports_run.py checks it against the case's .expected file.
#include "rt/rt.h"
#include "rt/tap.h"

#include "interfaces/process/client.h"
#include "lib/ipc/kernel.h"
#include "lib/loader/layout.h"

#include "port_scripts.h" // generated: kDashScript, kDashHeredocScript, kLuaScript, kSqliteScript

namespace {

struct Case {
    const char* group;
    const char* description;
    const char* image;    // the module to spawn (start=spawn on its line)
    const char* words[3]; // its arguments after argv[0]
    const char* todo;     // nullptr, or why it cannot pass yet (TAP's TODO directive)
};

const Case kCases[] = {
    {"dash",
     "dash -c runs a script of builtins: output in dash.expected",
     "dash",
     {"-c", kDashScript, nullptr},
     nullptr},
    {"dash",
     "dash -c reads a here-document",
     "dash",
     {"-c", kDashHeredocScript, nullptr},
     "dash passes here-documents through pipe(), which libposix lacks yet"},
    {"lua",
     "lua -e runs a program: output in lua.expected",
     "lua",
     {"-e", kLuaScript, nullptr},
     nullptr},
    {"sqlite",
     "sqlite3 :memory: runs SQL: output in sqlite.expected",
     "sqlite3",
     {":memory:", kSqliteScript, nullptr},
     nullptr},
};

// No port here takes longer; a hung port fails its test instead of the whole run's timeout.
constexpr uint32_t kWaitTimeoutUs = 60000000;
constexpr uint32_t kCallTimeoutUs = 5000000;

ipc::KernelTransport g_transport;
proc::client::ArgumentBlock g_block;

// Runs one case; its exit status, or -1 with a diagnostic.
int32_t run(const Case& c) {
    g_block = proc::client::ArgumentBlock{};
    // proc puts the module's name first (argv[0]) and these words after it.
    bool filled = true;
    for (const char* word : c.words)
        if (word != nullptr) filled = filled && g_block.add_argument(word);
    // Environment: HOME keeps sqlite3 from warning that it has none (it looks for ~/.sqliterc).
    filled = filled && g_block.add_environment("HOME=/root") &&
             g_block.add_environment("PATH=/bin:/usr/bin");
    if (!filled) {
        rt::tap::diag("the arguments of %s do not fit an argument block", c.image);
        return -1;
    }
    proc::SpawnReply child{};
    ipc::Error error = proc::client::spawn(g_transport, rt_kip()->root_task, c.image, g_block,
                                           child, axo_timeout_us(kCallTimeoutUs));
    if (error != ipc::Error::ok) {
        rt::tap::diag("spawn %s: %s", c.image, ipc::error_name(error));
        return -1;
    }
    proc::WaitReply ended{};
    error = proc::client::wait(g_transport, rt_kip()->root_task, child.pid, 0, ended,
                               axo_timeout_us(kWaitTimeoutUs));
    if (error != ipc::Error::ok) {
        rt::tap::diag("wait for %s: %s", c.image, ipc::error_name(error));
        return -1;
    }
    if (ended.reason != proc::kExitNormal) {
        rt::tap::diag("%s ended abnormally: reason %u, status %d", c.image, ended.reason,
                      ended.status);
        return -1;
    }
    return ended.status;
}

bool streq(const char* a, const char* b) {
    while (*a != '\0' && *a == *b) {
        ++a;
        ++b;
    }
    return *a == *b;
}

[[noreturn]] void exit_process(int32_t status) {
    (void)proc::client::exit(g_transport, rt_kip()->root_task, status);
    rt_park();
}

} // namespace

int main() {
    loader::StartArguments arguments = loader::start_arguments(rt_entry_state.esp);
    const char* group = arguments.argc > 1 ? arguments.argv[1] : "";
    rt_tap_begin();
    uint32_t failures = 0; // a failing TODO test is expected, and does not count
    uint32_t ran = 0;
    for (const Case& c : kCases) {
        if (!streq(c.group, group)) continue;
        ++ran;
        int32_t status = run(c);
        if (c.todo != nullptr) {
            rt_tap_check(status == 0, "%s (exit status %d) # TODO %s", c.description, status,
                         c.todo);
            continue;
        }
        if (!rt_tap_check(status == 0, "%s (exit status %d)", c.description, status)) ++failures;
    }
    if (ran == 0 && !rt_tap_check(false, "the group \"%s\" has cases", group)) ++failures;
    rt_tap_end();
    exit_process(failures == 0 ? 0 : 1);
}
