// console_test MODE: the test driver of the VGA console tests (README.md). proc starts it at
// boot (on-exit=shutdown: its exit ends the run); it prints TAP. The host side is
// tests/system/console_monitor.py, which reads this program's lines on the serial log:
//
//   AXO-MONITOR: sendkey K...        the host types each key K with QEMU's `sendkey` (HMP
//                                    syntax: a, shift-a, ctrl-c, caps_lock, spc, ret, ...)
//   AXO-MONITOR: screen ROW TEXT     the host reads row ROW of the VGA text buffer from guest
//                                    memory (`xp`) and types `y` if it starts with TEXT, else
//                                    `n`: the answer comes back through the keyboard
//
// Modes:
//   keys     "vga" at boot with `console check` (its refusal check is in the log): apps/hello
//            (newlib) prints through it, lines scroll the screen, the host checks rows of the
//            screen; then the host types keys and this program reads them through the driver
//            and compares them with the characters they must give; counters (interrupts,
//            scancodes, characters, cursor).
//   restart  spawns "vga" (on-exit=restart) and console_client, kills the driver twice while
//            the client waits in a read; proc restarts it, the new instance finds the cursor
//            where the old one left it, and a key typed after the restart reaches the client.
#include "rt/tap.h"

#include "common.h"
#include "interfaces/console/client.h"
#include "interfaces/devices/protocol.h"
#include "interfaces/process/client.h"

namespace {

constexpr uint32_t kKeyTimeoutUs = 60000000; // the host types within this

using test::call_timeout;
using test::g_transport;
using test::proc_thread;
using test::spawn;
using test::text;
using test::wait_for;

bool statistics(axo_thread_id_t server, console::StatisticsReply& stats) {
    stats = {};
    return console::client::statistics(server, stats, call_timeout()) == ipc::Error::ok;
}

ipc::Error put(axo_thread_id_t server, const char* line) {
    return console::client::write_all(server, reinterpret_cast<const uint8_t*>(line),
                                      static_cast<uint32_t>(strlen(line)), call_timeout());
}

// Reads exactly `count` characters (each read waits for at least one), or fewer on an error
// or when `us` ran out; returns how many.
uint32_t read_keys(axo_thread_id_t server, char* out, uint32_t count, uint32_t us) {
    uint64_t end = rt_clock_us() + us;
    uint32_t got = 0;
    while (got < count) {
        uint64_t now = rt_clock_us();
        if (now >= end) break;
        uint32_t n = 0;
        ipc::Error error =
            console::client::read(server, reinterpret_cast<uint8_t*>(out + got), count - got, true,
                                  n, axo_timeout_us(static_cast<uint32_t>(end - now)));
        if (error != ipc::Error::ok) break;
        got += n;
    }
    return got;
}

// The characters as C would write them, for the log.
void escape(const char* in, uint32_t count, char* out, uint32_t size) {
    uint32_t o = 0;
    for (uint32_t i = 0; i < count && o + 5 < size; ++i) {
        uint8_t c = static_cast<uint8_t>(in[i]);
        if (c >= 0x20 && c < 0x7f && c != '\\')
            out[o++] = static_cast<char>(c);
        else
            o += static_cast<uint32_t>(rt_snprintf(out + o, size - o, "\\x%02x", c));
    }
    out[o] = '\0';
}

// The host checks row `row` of the screen; its answer is a key: y or n.
bool screen_row(axo_thread_id_t server, uint32_t row, const char* expected) {
    rt_printf("AXO-MONITOR: screen %u %s\n", row, expected);
    char answer = 0;
    uint32_t got = read_keys(server, &answer, 1, kKeyTimeoutUs);
    rt_tap_check(got == 1 && answer == 'y',
                 "the screen's row %u shows \"%s\" (the host read it "
                 "from VGA memory and answered '%c')",
                 row, expected, got == 1 ? answer : '?');
    return got == 1 && answer == 'y';
}

// What the host types (QEMU sendkey names) and what each must give.
struct Key {
    const char* keys;
    const char* chars;
    uint32_t scancodes; // bytes the keyboard sends: presses and releases, E0 prefixes
};
constexpr Key kKeys[] = {
    {"a b c", "abc", 6},
    {"1 2 3 0", "1230", 8},
    {"shift-a shift_r-b", "AB", 8},                    // either shift
    {"caps_lock q w shift-e caps_lock z", "QWez", 14}, // caps lock, and shift undoes it
    {"ctrl-c ctrl-z", "\x03\x1a", 8},
    {"spc ret minus shift-minus", " \n-_", 10},
    {"shift-1 shift-2 equal shift-equal", "!@=+", 14},
    {"up left backspace tab esc", "\x1b[A\x1b[D\b\t\x1b", 14},
    {"kp_1 kp_add kp_enter", "1+\n", 8},
};

void keys_mode() {
    axo_thread_id_t server = test::await_name("vga", 10000);
    axo_thread_id_t console = test::await_name("console", 10000);
    rt_tap_check(server != AXO_NIL_THREAD && console == server,
                 "the VGA console driver registered \"vga\" and \"console\"");
    proc::DeviceStatusReply status{};
    ipc::Error asked = driver::status("vga", status);
    rt_tap_check(asked == ipc::Error::ok && status.holder != proc::kNoProcess &&
                     status.irqs_attached == 1,
                 "proc: vga holds its grants (holder %u), IRQ 1 attached (%u): %s", status.holder,
                 status.irqs_attached, text(asked));

    // The screen: hello (newlib) writes through "console", then lines scroll it.
    ipc::Error wrote = put(server, "\f");
    proc::SpawnReply child;
    proc::WaitReply ended{};
    ipc::Error spawned = spawn("hello", nullptr, child);
    ipc::Error waited = spawned == ipc::Error::ok ? wait_for(child.pid, ended, 30) : spawned;
    rt_tap_check(wrote == ipc::Error::ok && waited == ipc::Error::ok &&
                     ended.reason == proc::kExitNormal && ended.status == 0,
                 "hello (newlib) printed through the console and exited 0: %s, %s", text(wrote),
                 text(waited));
    for (uint32_t i = 0; i < 23 && wrote == ipc::Error::ok; ++i) {
        char line[32];
        rt_snprintf(line, sizeof line, "scroll %02u\tend\n", i);
        wrote = put(server, line);
    }
    constexpr char kLine[] = "AXO VGA: The quick brown fox jumps over the lazy dog 0123456789";
    if (wrote == ipc::Error::ok) wrote = put(server, kLine);
    console::StatisticsReply stats{};
    bool got = statistics(server, stats);
    // hello's 2 lines, 23 lines, the last without a newline: 26 rows after the clear; the
    // screen shows the last 25 (it scrolled once), the cursor is behind the last line.
    rt_tap_check(wrote == ipc::Error::ok && got && stats.row == 24 &&
                     stats.column == sizeof kLine - 1 && stats.scrolls == 1,
                 "26 lines written: the screen scrolled %u times, the cursor is at row %u, "
                 "column %u: %s",
                 stats.scrolls, stats.row, stats.column, text(wrote));
    screen_row(server, 24, kLine);
    screen_row(server, 23, "scroll 22       end"); // the tab: to column 16
    screen_row(server, 0, "hello: ");              // hello's 2nd line; its 1st scrolled away

    // The keyboard.
    static char expected[128];
    uint32_t length = 0, scancodes = 0;
    for (const Key& key : kKeys) {
        uint32_t n = static_cast<uint32_t>(strlen(key.chars));
        memcpy(expected + length, key.chars, n);
        length += n;
        scancodes += key.scancodes;
    }
    // ctrl-c etc. hold a character 0 nowhere: every expected byte is non-zero.
    console::StatisticsReply before{};
    statistics(server, before);
    for (const Key& key : kKeys)
        rt_printf("AXO-MONITOR: sendkey %s\n", key.keys);
    static char typed[128];
    uint64_t start = rt_clock_us();
    uint32_t count = read_keys(server, typed, length, kKeyTimeoutUs);
    uint32_t elapsed_ms = static_cast<uint32_t>((rt_clock_us() - start) / 1000);
    static char shown[512], wanted[512];
    escape(typed, count, shown, sizeof shown);
    escape(expected, length, wanted, sizeof wanted);
    rt_tap_check(count == length && memcmp(typed, expected, length) == 0,
                 "the keys typed through the QEMU monitor arrived as \"%s\" (%u characters in "
                 "%u ms), expected \"%s\"",
                 shown, count, elapsed_ms, wanted);
    // Nothing more comes: a read without waiting finds the buffer empty.
    uint8_t extra[8];
    uint32_t more = 0;
    ipc::Error nowait =
        console::client::read(server, extra, sizeof extra, false, more, call_timeout());
    rt_tap_check(nowait == ipc::Error::ok && more == 0, "no character more than typed (%u): %s",
                 more, text(nowait));

    got = statistics(server, stats);
    uint32_t interrupts = stats.interrupts - before.interrupts;
    uint32_t codes = stats.scancodes - before.scancodes;
    rt_tap_check(got && stats.irq == 1 && interrupts > 0 && interrupts <= codes &&
                     codes >= scancodes && stats.characters - before.characters == length &&
                     stats.dropped == 0 && stats.modifiers == 0,
                 "interrupt count: %u interrupts on IRQ %u for %u keyboard bytes (%u scancodes "
                 "of the keys, %u answers to the LED commands), %u characters, none dropped, no "
                 "modifier left held",
                 interrupts, stats.irq, codes, scancodes, stats.replies - before.replies,
                 stats.characters - before.characters);
    rt_tap_diag("totals of the driver: %u interrupts, %u scancodes, %u key presses, %u bytes "
                "written to the screen",
                stats.interrupts, stats.scancodes, stats.presses, stats.written);

    // Bad requests get errors, and the driver still serves.
    console::ReadReply reply{};
    ipc::Error bad_max =
        ipc::call(server, console::ReadRequest{0, console::kReadWait}, reply, call_timeout());
    ipc::Error bad_options =
        ipc::call(server, console::ReadRequest{8, 0x80}, reply, call_timeout());
    console::WriteRequest too_long{};
    too_long.count = console::kChunkBytes + 1;
    console::WriteReply write_reply{};
    ipc::Error bad_write = ipc::call(server, too_long, write_reply, call_timeout());
    rt_tap_check(bad_max == ipc::Error::invalid_argument &&
                     bad_options == ipc::Error::invalid_argument &&
                     bad_write == ipc::Error::invalid_argument && statistics(server, stats),
                 "bad requests are refused (read of 0: %s, unknown option: %s, write of %u "
                 "bytes: %s) and the driver still answers",
                 text(bad_max), text(bad_options), console::kChunkBytes + 1, text(bad_write));
    (void)put(server, "\nconsole_test: done\n");
}

void restart_mode() {
    constexpr uint32_t kRounds = 2;
    const char kTyped[kRounds + 1] = "xy";
    proc::SpawnReply driver_child;
    ipc::Error spawned = spawn("vga", nullptr, driver_child);
    axo_thread_id_t server = test::await_name("vga", 10000);
    rt_tap_check(spawned == ipc::Error::ok && server != AXO_NIL_THREAD,
                 "spawned the console driver vga (process %u), it registered: %s", driver_child.pid,
                 text(spawned));
    ipc::Error wrote = put(server, "console_test: before the restarts\n");

    proc::SpawnReply client;
    ipc::Error client_spawned = spawn("console_client", kTyped, client);
    rt_tap_check(wrote == ipc::Error::ok && client_spawned == ipc::Error::ok,
                 "wrote a line; spawned console_client: %s, %s", text(wrote), text(client_spawned));

    proc::ProcessId pid = driver_child.pid;
    for (uint32_t round = 1; round <= kRounds; ++round) {
        // Wait until the client is blocked in its read inside the driver.
        console::StatisticsReply stats{};
        bool blocked = false;
        for (uint32_t i = 0; i < 2000 && !blocked; ++i) {
            blocked = statistics(server, stats) && stats.readers_waiting > 0;
            if (!blocked) test::sleep_ms(5);
        }
        ipc::Error killed =
            proc::client::kill(g_transport, proc_thread(), pid, proc::kSignalTerm, call_timeout());
        proc::WaitReply ended{};
        ipc::Error waited = wait_for(pid, ended, 10);
        rt_tap_check(blocked && killed == ipc::Error::ok && waited == ipc::Error::ok &&
                         ended.reason == proc::kExitKilled,
                     "round %u: killed vga (process %u) while the client was blocked in a read "
                     "(%u waiting; cursor at %u,%u): %s, %s",
                     round, pid, stats.readers_waiting, stats.row, stats.column, text(killed),
                     text(waited));

        axo_thread_id_t dead = server;
        server = test::await_name("vga", 10000, dead);
        proc::DeviceStatusReply status{};
        ipc::Error asked = driver::status("vga", status);
        console::StatisticsReply fresh{};
        bool got = server != AXO_NIL_THREAD && statistics(server, fresh);
        rt_tap_check(got && asked == ipc::Error::ok && status.instance != pid &&
                         status.holder == status.instance && status.restarts == round &&
                         status.irqs_attached == 1 && fresh.restarts == round,
                     "round %u: proc restarted vga as process %u (restarts %u), holding the "
                     "grants with IRQ 1 attached (%u)",
                     round, status.instance, status.restarts, status.irqs_attached);
        rt_tap_check(got && fresh.start_row == stats.row && fresh.start_column == stats.column,
                     "round %u: the new instance read the cursor back from the CRTC: %u,%u, "
                     "where the old one left it (%u,%u)",
                     round, fresh.start_row, fresh.start_column, stats.row, stats.column);
        pid = status.instance;

        // The client's read now waits in the new instance; a key typed now reaches it.
        blocked = false;
        for (uint32_t i = 0; i < 2000 && !blocked; ++i) {
            blocked = statistics(server, fresh) && fresh.readers_waiting > 0;
            if (!blocked) test::sleep_ms(5);
        }
        rt_tap_check(blocked, "round %u: the client reads from the new instance", round);
        rt_printf("AXO-MONITOR: sendkey %c\n", kTyped[round - 1]);
        // The client took the key and wrote its line: it reads again (the next round) only
        // after that.
        bool delivered = false;
        for (uint32_t i = 0; i < 12000 && !delivered; ++i) {
            delivered = statistics(server, fresh) && fresh.characters == 1 && fresh.buffered == 0 &&
                        fresh.written > 0;
            if (!delivered) test::sleep_ms(5);
        }
        rt_tap_check(delivered,
                     "round %u: the key typed after the restart was read (%u character, %u "
                     "interrupts, %u scancodes) and the client wrote %u bytes",
                     round, fresh.characters, fresh.interrupts, fresh.scancodes, fresh.written);
    }

    proc::WaitReply ended{};
    ipc::Error waited = wait_for(client.pid, ended, 90);
    rt_tap_check(waited == ipc::Error::ok && ended.reason == proc::kExitNormal && ended.status == 0,
                 "console_client: each blocked read ended with an error, not a hang, and its "
                 "next read from the restarted driver got the key typed after the restart "
                 "(status %d: %s)",
                 ended.status, text(waited));
    console::StatisticsReply stats{};
    bool got = statistics(server, stats);
    rt_tap_check(got && stats.restarts == kRounds && stats.interrupts > 0 &&
                     stats.characters == 1 && stats.written > 0,
                 "the last instance is restart %u: %u interrupts, %u character, %u bytes "
                 "written",
                 stats.restarts, stats.interrupts, stats.characters, stats.written);
}

} // namespace

int main() {
    loader::StartArguments args = driver::arguments();
    const char* mode = args.argc > 1 ? args.argv[1] : "";
    rt_tap_begin();
    if (strcmp(mode, "keys") == 0)
        keys_mode();
    else if (strcmp(mode, "restart") == 0)
        restart_mode();
    else
        rt_tap_check(false, "a known mode: keys or restart, not \"%s\"", mode);
    rt_tap_end();
    driver::exit(rt_tap_failures() == 0 ? 0 : 1);
}
