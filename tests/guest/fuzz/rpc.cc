// fuzz_rpc: malformed requests to every server (README.md, "fuzz-rpc"). One program in two
// roles:
//   fuzz_rpc [seed=N] [requests=N] [only=NAMES] the orchestrator (proc starts it at boot;
//                                             only=: those servers' rounds alone, a comma
//                                             list; the others need not be there)
//   fuzz_rpc child SERVER SEED COUNT          sends COUNT requests to server SERVER (an index
//                                             of kServers; COUNT 0: until killed), exits with
//                                             COUNT, or -1 if a reply gave it what it may not
//                                             have
//   fuzz_rpc victim                           holds open files and a pipe at fs with known
//                                             contents and offsets, and checks them when the
//                                             orchestrator asks (after every fs child)
// The requests come from disposable children: a request may legitimately end its sender
// (proc's exit, mm's detach or unmap of the sender's own code, a thread at a random ip), and a
// child is killed now and then while it waits in a call. After each child every server must
// answer a valid request (its statistics), no driver may have been restarted (proc's device
// status), and after each server's round proc's processes, mm's clients and data and the
// kernel's live objects are what they were before.
#include "fuzz.h"

#include "interfaces/block/protocol.h"
#include "interfaces/console/protocol.h"
#include "interfaces/devices/protocol.h"
#include "interfaces/file/client.h"
#include "interfaces/labels.h"
#include "interfaces/names/client.h"
#include "interfaces/nic/protocol.h"
#include "interfaces/pci/protocol.h"
#include "interfaces/serial/protocol.h"
#include "interfaces/sigma0/protocol.h"
#include "interfaces/stream/protocol.h"
#include "interfaces/tty/protocol.h"

namespace fuzz {

namespace {

struct LabelRange {
    uint32_t first, last;
};

struct Server {
    const char* name; // the module's name (drivers), or what it is
    LabelRange ranges[3];
    uint32_t range_count;
    bool may_end_sender; // its protocol has requests that end or break the caller
    bool driver;
};

constexpr LabelRange kNames{AXO_LABELS_NAMES_FIRST, AXO_LABELS_NAMES_LAST};
constexpr LabelRange kProcess{AXO_LABELS_PROCESS_FIRST, AXO_LABELS_PROCESS_LAST};
constexpr LabelRange kDevices{AXO_LABELS_DEVICES_FIRST, AXO_LABELS_DEVICES_LAST};
constexpr LabelRange kStream{AXO_LABELS_STREAM_FIRST, AXO_LABELS_STREAM_LAST};
constexpr LabelRange kSerial{AXO_LABELS_SERIAL_FIRST, AXO_LABELS_SERIAL_LAST};
constexpr LabelRange kPci{AXO_LABELS_PCI_FIRST, AXO_LABELS_PCI_LAST};
constexpr LabelRange kMm{AXO_LABELS_MM_FIRST, AXO_LABELS_MM_LAST};
constexpr LabelRange kNic{AXO_LABELS_NIC_FIRST, AXO_LABELS_NIC_LAST};
constexpr LabelRange kBlock{AXO_LABELS_BLOCK_FIRST, AXO_LABELS_BLOCK_LAST};
constexpr LabelRange kConsole{AXO_LABELS_CONSOLE_FIRST, AXO_LABELS_CONSOLE_LAST};
constexpr LabelRange kSigma0{AXO_LABELS_SIGMA0_FIRST, AXO_LABELS_SIGMA0_LAST};
constexpr LabelRange kFile{AXO_LABELS_FILE_FIRST, AXO_LABELS_FILE_LAST};
constexpr LabelRange kTtyRange{AXO_LABELS_TTY_FIRST, AXO_LABELS_TTY_LAST};

enum ServerIndex : uint32_t {
    kSigma0Server,
    kProcServer,
    kMmServer,
    kCom2,
    kPciServer,
    kEth0,
    kAta,
    kVga,
    kFs,
    kTty
};
const Server kServers[] = {
    {"sigma0", {kSigma0}, 1, false, false}, {"proc", {kNames, kProcess, kDevices}, 3, true, false},
    {"mm", {kMm}, 1, true, false},          {"com2", {kStream, kSerial}, 2, false, true},
    {"pci", {kPci}, 1, false, true},        {"eth0", {kNic}, 1, false, true},
    {"ata", {kBlock}, 1, false, true},      {"vga", {kStream, kConsole}, 2, false, true},
    {"fs", {kFile}, 1, false, false},       {"tty", {kStream, kTtyRange}, 2, false, false},
};
constexpr uint32_t kServerCount = sizeof kServers / sizeof kServers[0];
const LabelRange kAllRanges[] = {kNames, kProcess, kDevices, kStream, kSerial, kPci,     kMm,
                                 kNic,   kBlock,   kConsole, kSigma0, kFile,   kTtyRange};

ipc::KernelTransport g_transport;
alignas(65536) uint8_t g_window[65536];
uint8_t g_scratch[4 * 4096];

axo_thread_id_t lookup(uint32_t server) {
    if (server == kSigma0Server) return rt_kip()->sigma0;
    if (server == kProcServer) return proc_thread();
    if (server == kMmServer) return pager_thread();
    axo_thread_id_t id = AXO_NIL_THREAD;
    for (uint32_t attempt = 0; attempt < 500; ++attempt) {
        if (names::lookup(g_transport, proc_thread(), kServers[server].name, id) == ipc::Error::ok)
            return id;
        sleep_ms(10);
    }
    return AXO_NIL_THREAD;
}

// ---- The child: the requests -------------------------------------------------------------------

// Requests whose reply may come much later (a read that waits for data, a wait for a child,
// the next event, a pager's next fault): sent without waiting for the reply.
bool defers(uint32_t label) {
    return label == AXO_STREAM_READ || label == proc::kProcWait || label == proc::kProcEventNext ||
           label == mm::kMmFaultWait || label == mm::kMmPagerWait || label == e1000::kNetReceive;
}

uint32_t hostile_word(Random& random) {
    switch (random.below(8)) {
    case 0:
        return 0;
    case 1:
        return random.below(16);
    case 2:
        return 0xFFFFFFFFu;
    case 3:
        return 0x80000000u + random.below(16);
    case 4:
        return random.below(4096);
    case 5:
        return rt_my_id();
    case 6:
        return 0x00400000u + random.below(0x10000);
    default:
        return random.next();
    }
}

uint32_t request_label(Random& random, const Server& server, uint32_t index) {
    const LabelRange& own = server.ranges[random.below(server.range_count)];
    uint32_t label;
    uint32_t which = random.below(100);
    if (which < 50) {
        label = own.first + random.below(24); // the interface's labels, and a few beyond
    } else if (which < 65) {
        label = own.first + random.below(own.last - own.first + 1);
    } else if (which < 80) {
        const LabelRange& other = random.pick(kAllRanges);
        label = other.first + random.below(24);
    } else if (which < 90) {
        const uint32_t kernel[] = {AXO_LABEL_EXCEPTION,      AXO_LABEL_PAGE_FAULT | 2,
                                   AXO_LABEL_PAGE_FAULT | 4, AXO_LABEL_INTERRUPT,
                                   AXO_LABEL_NOTIFY,         AXO_LABEL_RAISE_FAULT};
        label = random.pick(kernel);
    } else {
        label = random.below(0x10000);
    }
    // Fork and exec would copy or replace the sender, which then goes on fuzzing as another
    // process (proc's own tests cover them); a statistics request instead.
    if (index == kProcServer && (label == proc::kProcFork || label == proc::kProcExec))
        label = proc::kProcStatistics;
    // Exit, kill and a thread at a random ip end the sender legitimately: rarely, so that most
    // children get through their requests (those that end early are counted apart).
    // So do a forged page fault or exception to proc, its exception handler, which takes the
    // sender at its word (servers/proc/processes.cc: on_kernel_message).
    if (index == kProcServer && !random.one_in(64) &&
        (label == proc::kProcExit || label == proc::kProcKill || label == proc::kProcThreadCreate ||
         label >= labels::kKernelLabels))
        label = proc::kProcStatistics;
    return label;
}

// ---- fs: requests shaped like the file interface's --------------------------------------------

// The file interface keeps paths and data in a buffer fs maps into the caller's window at
// attach: most requests to fs are aimed past that session check, with lengths, handles and
// offsets at its edges and garbage in the buffer.
uint8_t* file_buffer() {
    return g_window; // the first kBufferBytes of the window: attach's receive window
}

axo_fpage_t file_window() {
    return axo_fpage(reinterpret_cast<uint32_t>(g_window), file::kBufferLog2, AXO_FPAGE_RWX);
}

uint32_t file_word(Random& random) {
    switch (random.below(10)) {
    case 0: // handles: its own few, none, the working directory, absurd ones
        return random.below(20);
    case 1: {
        const uint32_t handles[] = {0xFFFFFFFFu, static_cast<uint32_t>(file::kAtCwd),
                                    0x7FFFFFFFu, 0x80000000u,
                                    64,          256,
                                    1024,        65535};
        return random.pick(handles);
    }
    case 2: { // lengths at the buffer's and PATH_MAX's edges
        const uint32_t lengths[] = {0,
                                    1,
                                    file::kBufferBytes - 2,
                                    file::kBufferBytes - 1,
                                    file::kBufferBytes,
                                    file::kBufferBytes + 1,
                                    4095,
                                    4096,
                                    4097,
                                    0xFFFFFFFFu,
                                    0xFFFFFFFEu,
                                    0x80000000u,
                                    file::kReaddirMinBytes - 1,
                                    file::kReaddirMinBytes};
        return random.pick(lengths);
    }
    case 3: // short lengths: near a planted path's
        return random.below(64);
    case 4: // offsets' high words and sizes
        return random.one_in(2) ? 0xFFFFFFFFu : 0x7FFFFFFFu + random.below(3);
    case 5: { // flags and modes
        const uint32_t flags[] = {AXO_FILE_O_RDONLY,
                                  AXO_FILE_O_WRONLY,
                                  AXO_FILE_O_RDWR,
                                  3,
                                  AXO_FILE_O_CREAT | AXO_FILE_O_RDWR,
                                  AXO_FILE_O_CREAT | AXO_FILE_O_EXCL | AXO_FILE_O_WRONLY,
                                  AXO_FILE_O_TRUNC | AXO_FILE_O_RDWR,
                                  AXO_FILE_O_DIRECTORY,
                                  AXO_FILE_O_NOFOLLOW,
                                  0010000u | 0666u, // FIFO
                                  0020000u | 0666u, // character device
                                  0040000u | 0777u,
                                  07777u,
                                  0xFFFFFFFFu};
        return random.pick(flags);
    }
    default:
        return hostile_word(random);
    }
}

// Paths fs resolves for real (the tree of fuzz-rpc's boot: tmpfs /, /tmp, /dev), and ones at
// its edges.
const char* const kFilePaths[] = {
    "/", "/tmp",    "/tmp/fz",    "/tmp/fz/a", "/dev",       "/dev/null",  "..", ".",
    "",  "/tmp/fy", "/fuzz-held", "//tmp//fz", "/tmp/../..", "/nothing/x", "fz", "/tmp/fz/../fy"};

// What the buffer holds for the next request: a path or two with their NULs (the lengths in the
// request may or may not match), garbage without a NUL, or a buffer full of one byte.
void fill_file_buffer(Random& random, uint32_t& first_length) {
    uint8_t* buffer = file_buffer();
    first_length = 0;
    switch (random.below(8)) {
    case 0: { // garbage without a NUL
        uint32_t n = 1 + random.below(512);
        for (uint32_t i = 0; i < n; ++i)
            buffer[i] = static_cast<uint8_t>(1 + random.below(255));
        first_length = n;
        return;
    }
    case 1:
        if (random.one_in(32)) { // no NUL anywhere: every length runs off the end
            memset(buffer, 'a', file::kBufferBytes);
            first_length = file::kBufferBytes;
        }
        return;
    case 2: { // a path longer than PATH_MAX, terminated
        uint32_t n = 4090 + random.below(12);
        for (uint32_t i = 0; i < n; ++i)
            buffer[i] = (i % 2) != 0 ? '/' : 'a';
        buffer[n] = 0;
        first_length = n;
        return;
    }
    case 3: // a NUL inside the path
        memcpy(buffer, "/tmp/fz", 8);
        buffer[4] = 0;
        first_length = 7;
        return;
    default: { // one or two real paths
        const char* first = random.pick(kFilePaths);
        const char* second = random.pick(kFilePaths);
        first_length = strlen(first);
        memcpy(buffer, first, first_length + 1);
        memcpy(buffer + first_length + 1, second, strlen(second) + 1);
        return;
    }
    }
}

// What fs answered a child's file-shaped requests: how many got past the session and shape
// checks (ok, or a file error) and how many were refused as malformed — printed at the child's
// end, so the log shows the requests reach the Vfs.
struct FileTally {
    uint32_t ok, malformed, other, none;
};
FileTally g_tally;

// The untyped words of each file request (by label), so that half of them get past the
// dispatcher's shape check to the handlers.
template <class Req> constexpr void note_words(uint32_t (&words)[64]) {
    words[Req::kLabel - kFile.first] = ipc::wire_words<Req>;
}
constexpr auto kFileWords = [] {
    struct Table {
        uint32_t words[64] = {};
    } table;
    using namespace file;
    note_words<OpenRequest>(table.words);
    note_words<CloseRequest>(table.words);
    note_words<ReadRequest>(table.words);
    note_words<WriteRequest>(table.words);
    note_words<PreadRequest>(table.words);
    note_words<PwriteRequest>(table.words);
    note_words<SeekRequest>(table.words);
    note_words<StatRequest>(table.words);
    note_words<FstatRequest>(table.words);
    note_words<AccessRequest>(table.words);
    note_words<MkdirRequest>(table.words);
    note_words<RmdirRequest>(table.words);
    note_words<UnlinkRequest>(table.words);
    note_words<RenameRequest>(table.words);
    note_words<LinkRequest>(table.words);
    note_words<SymlinkRequest>(table.words);
    note_words<ReadlinkRequest>(table.words);
    note_words<TruncateRequest>(table.words);
    note_words<FtruncateRequest>(table.words);
    note_words<ChmodRequest>(table.words);
    note_words<FchmodRequest>(table.words);
    note_words<ChownRequest>(table.words);
    note_words<FchownRequest>(table.words);
    note_words<UtimesRequest>(table.words);
    note_words<FutimesRequest>(table.words);
    note_words<ReaddirRequest>(table.words);
    note_words<FchdirRequest>(table.words);
    note_words<ChdirRequest>(table.words);
    note_words<FsyncRequest>(table.words);
    note_words<StatfsRequest>(table.words);
    note_words<FstatfsRequest>(table.words);
    note_words<MknodRequest>(table.words);
    note_words<DupRequest>(table.words);
    note_words<GetFlagsRequest>(table.words);
    note_words<SetFlagsRequest>(table.words);
    return table;
}();

// One request with the file interface's labels and words fit for them.
void send_file_request(Random& random, axo_thread_id_t target) {
    axo_utcb_t* utcb = axo_my_utcb();
    uint32_t label =
        kFile.first + (random.one_in(8) ? random.below(kFile.last - kFile.first + 1)
                                        : random.below(AXO_FILE_SET_FLAGS - kFile.first + 4));
    uint32_t first_length = 0;
    fill_file_buffer(random, first_length);
    uint32_t which = random.below(100);
    uint32_t index = label - kFile.first;
    uint32_t untyped = which < 55 && index < 64 ? kFileWords.words[index]
                       : which < 85             ? random.below(10)
                                                : random.below(64);
    utcb->mr[0] = axo_msg_tag(label, untyped, 0);
    for (uint32_t w = 1; w <= untyped; ++w)
        utcb->mr[w] = file_word(random);
    // The lengths that go with the planted paths, most of the time in their usual words.
    if (untyped >= 2 && random.below(100) < 60) utcb->mr[2] = first_length + random.below(3) - 1;
    if (untyped >= 4 && random.one_in(2)) utcb->mr[4] = random.below(16);
    utcb->br[0] = file_window();
    axo_thread_id_t from =
        axo_ipc(target, target, axo_timeouts(axo_timeout_us(20000), axo_timeout_us(1000)));
    axo_msg_tag_t tag = utcb->mr[0];
    if (axo_tag_failed(tag) || from != target)
        ++g_tally.none;
    else if (axo_tag_label(tag) == static_cast<uint32_t>(ipc::Error::ok))
        ++g_tally.ok;
    else if (axo_tag_label(tag) == static_cast<uint32_t>(ipc::Error::bad_message))
        ++g_tally.malformed;
    else
        ++g_tally.other;
}

// Sent before the child attaches: every file request must be refused for want of a session.
// Then, attached, no handle of another process may be reachable from this one. The child was
// spawned (fork and exec: proc's kEventFork, then kEventExec), so it inherited the
// orchestrator's handles, the held file among them, as POSIX has it (there is no close-on-exec
// yet): it closes every one of its own first, after which every handle number must answer
// bad_handle although the orchestrator still holds the same numbers open (and fs_answers checks
// that its held file still reads back). False on either failure.
bool file_session_and_isolation(axo_thread_id_t target) {
    axo_utcb_t* utcb = axo_my_utcb();
    for (uint32_t label = file::kFileOpen; label <= file::kFileSetFlags; ++label) {
        utcb->mr[0] = axo_msg_tag(label, 4, 0);
        utcb->mr[1] = 0;
        utcb->mr[2] = 1;
        utcb->mr[3] = 0;
        utcb->mr[4] = 0;
        utcb->br[0] = AXO_FPAGE_NIL;
        axo_thread_id_t from =
            axo_ipc(target, target, axo_timeouts(axo_timeout_us(20000), axo_timeout_us(1000000)));
        axo_msg_tag_t tag = utcb->mr[0];
        if (axo_tag_failed(tag) || from != target ||
            axo_tag_label(tag) != static_cast<uint32_t>(ipc::Error::bad_message)) {
            rt_printf("fuzz_rpc: fs answered label %x without a session with %x\n", label,
                      axo_tag_failed(tag) ? 0xFFFFFFFFu : axo_tag_label(tag));
            return false;
        }
    }
    ipc::KernelTransport transport;
    file::AttachReply attached{};
    if (ipc::call_receiving_item(transport, target, file::AttachRequest{}, attached, file_window(),
                                 axo_timeout_us(1000000)) != ipc::Error::ok)
        return false;
    for (int32_t handle = 0; handle < 64; ++handle) {
        ipc::Empty closed;
        (void)ipc::call(target, file::CloseRequest{{handle}}, closed, axo_timeout_us(1000000));
    }
    for (int32_t handle = 0; handle < 32; ++handle) {
        file::Stat stat{};
        ipc::Error error =
            ipc::call(target, file::FstatRequest{{handle}}, stat, axo_timeout_us(1000000));
        file::CountReply count{};
        ipc::Error read = ipc::call(target, file::PreadRequest{{handle, 16, 0, 0}}, count,
                                    axo_timeout_us(1000000));
        if (error != ipc::Error::bad_handle || read != ipc::Error::bad_handle) {
            rt_printf("fuzz_rpc: a fresh process reached handle %d at fs: fstat %s, pread %s\n",
                      handle, ipc::error_name(error), ipc::error_name(read));
            return false;
        }
    }
    return true;
}

[[noreturn]] void run_child(uint32_t server_index, uint32_t seed, uint32_t count) {
    const Server& server = kServers[server_index];
    // An ordinary user: kill(-1) and the like reach only this process.
    (void)proc::client::set_credentials(g_transport, proc_thread(), proc::kSetUid, 1000,
                                        axo_timeout_us(1000000));
    // fs answers a write to a pipe without reader with SIGPIPE, whose default action would end
    // this process for a request it was entitled to make: ignored, as a program may.
    if (server_index == kFs) {
        proc::SignalStateReply signals{};
        (void)proc::client::signal_state(g_transport, proc_thread(), proc::signal_bit(13), 0,
                                         signals, axo_timeout_us(1000000));
    }
    // The tty sends SIGWINCH to the foreground group when the window size changes, and a child
    // may make its own group the foreground one: ignored, as the job-control signals, whose
    // default actions would stop it for requests it was entitled to make.
    if (server_index == kTty) {
        proc::SignalStateReply signals{};
        (void)proc::client::signal_state(
            g_transport, proc_thread(),
            proc::signal_bit(proc::kSignalWindow) | proc::signal_bit(proc::kSignalTerminalIn) |
                proc::signal_bit(proc::kSignalTerminalOut) |
                proc::signal_bit(proc::kSignalTerminalStop) |
                proc::signal_bit(proc::kSignalInterrupt) | proc::signal_bit(proc::kSignalHangup),
            0, signals, axo_timeout_us(1000000));
    }
    axo_thread_id_t target = lookup(server_index);
    if (target == AXO_NIL_THREAD) exit(-2);
    memset(g_scratch, 0xA5, sizeof g_scratch);
    Random random(seed);
    axo_utcb_t* utcb = axo_my_utcb();
    if (server_index == kFs && !file_session_and_isolation(target)) exit(-1);
    for (uint32_t i = 0; count == 0 || i < count; ++i) {
        // fs: most requests in the file interface's shapes, the rest as for every server.
        if (server_index == kFs && !random.one_in(3)) {
            send_file_request(random, target);
            continue;
        }
        uint32_t label = request_label(random, server, server_index);
        uint32_t which = random.below(100);
        uint32_t untyped = which < 45   ? random.below(8)
                           : which < 75 ? random.below(64)
                                        : random.below(40);
        uint32_t typed = 0;
        which = random.below(100);
        if (which < 10)
            typed = 2;
        else if (which < 14)
            typed = random.below(64);
        if (untyped + typed > 63) typed = 63 - untyped;
        utcb->mr[0] = axo_msg_tag(label, untyped, typed);
        for (uint32_t w = 1; w <= untyped + typed && w < AXO_MR_COUNT; ++w)
            utcb->mr[w] = hostile_word(random);
        if (typed >= 2 && 1 + untyped + 1 < AXO_MR_COUNT) {
            // A map or grant item where none is expected: a page of its own, or nonsense.
            uint32_t page = reinterpret_cast<uint32_t>(g_scratch) + random.below(4) * 4096;
            utcb->mr[1 + untyped] = axo_map_item_word0(random.next() & ~0xFFFu, random.one_in(4));
            utcb->mr[2 + untyped] =
                random.one_in(4) ? random.next() : axo_fpage(page, 12, AXO_FPAGE_R | AXO_FPAGE_W);
        }
        utcb->br[0] = random.one_in(4)
                          ? axo_fpage(reinterpret_cast<uint32_t>(g_window), 16, AXO_FPAGE_RWX)
                          : AXO_FPAGE_NIL;
        // Servers drop messages with the kernel's labels unanswered (lib/ipc's dispatcher): a
        // receive timeout would cost a timer tick each.
        bool unanswered = defers(label) || label >= labels::kKernelLabels;
        axo_timeout_t receive =
            unanswered && !random.one_in(8) ? AXO_TIMEOUT_ZERO : axo_timeout_us(1000);
        axo_thread_id_t from =
            axo_ipc(target, target, axo_timeouts(axo_timeout_us(20000), receive));
        axo_msg_tag_t tag = utcb->mr[0];
        // σ0 has no business with this process, and proc maps only to drivers it granted
        // something (devices), to mm, and a page of the sender's own image to a forged page
        // fault (on_kernel_message): any other map item from either is a gain.
        bool own_page = server_index == kProcServer && (label & ~7u) == AXO_LABEL_PAGE_FAULT;
        if (!axo_tag_failed(tag) && from == target && axo_tag_typed(tag) != 0 && !own_page &&
            (server_index == kSigma0Server || server_index == kProcServer)) {
            rt_printf("fuzz_rpc: child %u: %s answered label %x with %u typed words\n", seed,
                      server.name, label, axo_tag_typed(tag));
            exit(-1);
        }
    }
    if (server_index == kFs)
        rt_printf("fuzz_rpc: fs child %u: file-shaped requests answered ok %u, with another error "
                  "%u, as malformed %u, not at all %u\n",
                  seed, g_tally.ok, g_tally.other, g_tally.malformed, g_tally.none);
    exit(static_cast<int32_t>(count));
}

// ---- The victim
// ----------------------------------------------------------------------------------

// The victim's protocol (raw IPC): a message with this label asks it to check what it holds at
// fs; the reply's MR1 is 0 if everything is as it left it, else the number of the first check
// that failed.
constexpr uint32_t kVictimCheckLabel = 0x7A20;
constexpr uint32_t kVictimFileBytes = 3000;
constexpr uint64_t kVictimOffset = 1234;
constexpr uint32_t kVictimPipeBytes = 100;

uint8_t victim_byte(uint32_t i) {
    return static_cast<uint8_t>(i * 7 + 3);
}

// A second client of fs, root like the orchestrator: a file of its own (mode 0600) open twice
// (a handle and its dup, sharing an offset left at kVictimOffset) and a pipe holding
// kVictimPipeBytes. Its handles are small numbers, the very numbers the children send: none of
// their requests may read, write, move, close or resize what it holds.
[[noreturn]] void run_victim() {
    alignas(file::kBufferBytes) static uint8_t window[file::kBufferBytes];
    static file::Client files(window, "fs", axo_timeout_us(2000000));
    for (uint32_t attempt = 0; attempt < 500 && files.attach() != ipc::Error::ok; ++attempt)
        sleep_ms(10);
    for (int32_t handle = 0; handle < 64; ++handle) // inherited from the orchestrator
        (void)files.close(handle);
    static uint8_t data[kVictimFileBytes];
    for (uint32_t i = 0; i < kVictimFileBytes; ++i)
        data[i] = victim_byte(i);
    int32_t file = -1, copy = -1, ends[2] = {-1, -1};
    uint64_t position = 0;
    size_t done = 0;
    bool ready = files.open(file::kAtCwd, "/tmp/victim",
                            AXO_FILE_O_CREAT | AXO_FILE_O_TRUNC | AXO_FILE_O_RDWR, 0600,
                            file) == ipc::Error::ok &&
                 files.write(file, data, sizeof data, done) == ipc::Error::ok &&
                 done == sizeof data &&
                 files.seek(file, kVictimOffset, AXO_FILE_SEEK_SET, position) == ipc::Error::ok &&
                 files.dup(file, copy) == ipc::Error::ok &&
                 files.pipe(ends, AXO_FILE_O_NONBLOCK) == ipc::Error::ok &&
                 files.write(ends[1], data, kVictimPipeBytes, done) == ipc::Error::ok &&
                 done == kVictimPipeBytes;
    rt_printf("fuzz_rpc: victim: handles %d and %d on /tmp/victim, pipe %d/%d: %s\n", file, copy,
              ends[0], ends[1], ready ? "ready" : "FAILED");
    axo_utcb_t* utcb = axo_my_utcb();
    axo_thread_id_t from = AXO_NIL_THREAD;
    for (;;) {
        from = axo_ipc(AXO_NIL_THREAD, AXO_ANY_THREAD,
                       axo_timeouts(AXO_TIMEOUT_NEVER, AXO_TIMEOUT_NEVER));
        axo_msg_tag_t tag = utcb->mr[0];
        if (axo_tag_failed(tag) || axo_tag_label(tag) != kVictimCheckLabel) continue;
        uint32_t failed = ready ? 0 : 1;
        static uint8_t back[kVictimFileBytes];
        file::Stat st{};
        if (failed == 0 && (files.seek(file, 0, AXO_FILE_SEEK_CUR, position) != ipc::Error::ok ||
                            position != kVictimOffset))
            failed = 2; // the offset moved
        if (failed == 0 && (files.seek(copy, 0, AXO_FILE_SEEK_CUR, position) != ipc::Error::ok ||
                            position != kVictimOffset))
            failed = 3; // the dup's (shared) offset moved
        if (failed == 0 && (files.fstat(file, st) != ipc::Error::ok ||
                            st.size_low != kVictimFileBytes || (st.mode & 07777u) != 0600))
            failed = 4; // size or mode changed
        if (failed == 0 && (files.pread(file, back, sizeof back, 0, done) != ipc::Error::ok ||
                            done != sizeof back || memcmp(back, data, sizeof back) != 0))
            failed = 5; // contents changed
        if (failed == 0 && (files.read(ends[0], back, sizeof back, done) != ipc::Error::ok ||
                            done != kVictimPipeBytes || memcmp(back, data, done) != 0))
            failed = 6; // the pipe lost or gained bytes
        // Its bytes back into the pipe for the next check.
        if (failed == 0 && (files.write(ends[1], data, kVictimPipeBytes, done) != ipc::Error::ok ||
                            done != kVictimPipeBytes))
            failed = 7;
        if (failed != 0) rt_printf("fuzz_rpc: victim: check %u failed\n", failed);
        utcb->mr[0] = axo_msg_tag(0, 1, 0);
        utcb->mr[1] = failed;
        (void)axo_ipc(from, AXO_NIL_THREAD,
                      axo_timeouts(axo_timeout_us(100000), AXO_TIMEOUT_NEVER));
    }
}

// ---- The orchestrator ---------------------------------------------------------------------------

axo_thread_id_t g_servers[kServerCount];
bool g_present[kServerCount]; // looked up, checked and fuzzed (only= leaves some out)
axo_thread_id_t g_victim = AXO_NIL_THREAD;
uint32_t g_seed = 1;
uint32_t g_requests = 100000;

// The orchestrator's own session with fs, and a file only it (root, mode 0600) holds open: no
// child may reach it, and after every child it still reads back what was written.
file::Client* g_files = nullptr;
int32_t g_held = -1;
constexpr char kHeldText[] = "held by the orchestrator";

bool open_held_file() {
    alignas(file::kBufferBytes) static uint8_t window[file::kBufferBytes];
    static file::Client files(window, "fs", axo_timeout_us(2000000));
    g_files = &files;
    size_t done = 0;
    return files.open(file::kAtCwd, "/fuzz-held",
                      AXO_FILE_O_CREAT | AXO_FILE_O_TRUNC | AXO_FILE_O_RDWR, 0600,
                      g_held) == ipc::Error::ok &&
           files.write(g_held, kHeldText, sizeof kHeldText, done) == ipc::Error::ok &&
           done == sizeof kHeldText;
}

// fs answers a valid request: attach (again if it took the buffer back) and stat "/"; and the
// held file still reads back.
bool fs_answers() {
    file::Stat root{};
    ipc::Error error = g_files->stat(file::kAtCwd, "/", root);
    if (error != ipc::Error::ok || (root.mode & 0170000u) != 0040000u) {
        rt::tap::diag("fs did not stat /: %s (mode %o)", ipc::error_name(error), root.mode);
        return false;
    }
    char text[sizeof kHeldText] = {};
    size_t done = 0;
    error = g_files->pread(g_held, text, sizeof text, 0, done);
    if (error != ipc::Error::ok || done != sizeof text || memcmp(text, kHeldText, done) != 0) {
        rt::tap::diag("the held file at fs no longer reads back: %s, %u bytes",
                      ipc::error_name(error), static_cast<uint32_t>(done));
        return false;
    }
    return true;
}

// The victim (run_victim) finds its files, offsets and pipe as it left them.
bool victim_intact() {
    if (g_victim == AXO_NIL_THREAD) return true;
    axo_utcb_t* utcb = axo_my_utcb();
    utcb->mr[0] = axo_msg_tag(kVictimCheckLabel, 0, 0);
    axo_thread_id_t from =
        axo_ipc(g_victim, g_victim, axo_timeouts(axo_timeout_us(2000000), axo_timeout_us(5000000)));
    axo_msg_tag_t tag = utcb->mr[0];
    if (axo_tag_failed(tag) || from != g_victim || axo_tag_untyped(tag) != 1 || utcb->mr[1] != 0) {
        rt::tap::diag("the victim's files at fs changed (check %u failed)",
                      axo_tag_failed(tag) ? 0xFFFFFFFFu : utcb->mr[1]);
        return false;
    }
    return true;
}

// Whether `server` answers a valid request: its statistics (σ0 answers a stranger's with a
// refusal, which is an answer too). A transport failure is no answer.
bool answers(uint32_t server) {
    axo_timeout_t timeout = axo_timeout_us(2000000);
    axo_thread_id_t id = g_servers[server];
    ipc::Error error = ipc::Error::ipc_failed;
    switch (server) {
    case kSigma0Server: {
        sigma0::StatisticsReply reply{};
        error = ipc::call(id, sigma0::StatisticsRequest{}, reply, timeout);
        return error != ipc::Error::ipc_failed;
    }
    case kProcServer: {
        proc::StatisticsReply reply{};
        error = ipc::call(id, proc::StatisticsRequest{}, reply, timeout);
        break;
    }
    case kMmServer: {
        mm::StatisticsReply reply{};
        error = ipc::call(id, mm::StatisticsRequest{AXO_NIL_THREAD}, reply, timeout);
        break;
    }
    case kCom2: {
        serial::StatisticsReply reply{};
        error = ipc::call(id, serial::StatisticsRequest{}, reply, timeout);
        break;
    }
    case kPciServer: {
        pci::StatisticsReply reply{};
        error = ipc::call(id, pci::StatisticsRequest{}, reply, timeout);
        break;
    }
    case kEth0: {
        e1000::StatisticsReply reply{};
        error = ipc::call(id, e1000::StatisticsRequest{}, reply, timeout);
        break;
    }
    case kAta: {
        ata::StatisticsReply reply{};
        error = ipc::call(id, ata::StatisticsRequest{}, reply, timeout);
        break;
    }
    case kFs:
        return fs_answers() && victim_intact();
    case kTty: {
        tty::WindowSize reply{};
        error = ipc::call(id, tty::GetWindowSizeRequest{}, reply, timeout);
        break;
    }
    default: {
        console::StatisticsReply reply{};
        error = ipc::call(id, console::StatisticsRequest{}, reply, timeout);
        break;
    }
    }
    if (error != ipc::Error::ok)
        rt::tap::diag("%s did not answer its statistics: %s", kServers[server].name,
                      ipc::error_name(error));
    return error == ipc::Error::ok;
}

// proc's supervision state of a driver: restarted how often (a crash is restarted).
uint32_t restarts(uint32_t server) {
    proc::DeviceStatusRequest request{};
    (void)request.module.set(kServers[server].name);
    proc::DeviceStatusReply reply{};
    if (ipc::call(proc_thread(), request, reply, axo_timeout_us(2000000)) != ipc::Error::ok)
        return 1000;
    return reply.restarts;
}

bool every_server_serves(uint32_t& restarted) {
    bool all = true;
    restarted = 0;
    for (uint32_t i = 0; i < kServerCount; ++i) {
        if (!g_present[i]) continue;
        if (!answers(i)) all = false;
        if (kServers[i].driver) restarted += restarts(i);
    }
    return all;
}

struct Counts {
    axo_kernel_objects_t kernel;
    proc::StatisticsReply proc;
    mm::StatisticsReply mm;
};

Counts counts() {
    Counts c{};
    (void)axo_debug_objects(&c.kernel);
    (void)ipc::call(proc_thread(), proc::StatisticsRequest{}, c.proc, axo_timeout_us(2000000));
    (void)ipc::call(pager_thread(), mm::StatisticsRequest{AXO_NIL_THREAD}, c.mm,
                    axo_timeout_us(2000000));
    return c;
}

bool same_counts(const Counts& base, Counts& now) {
    for (uint32_t attempt = 0; attempt < 100; ++attempt) {
        now = counts();
        // proc keeps the pages it took from σ0 for its pool (a process's start-up block, the
        // pages it maps to a forged page fault) for the next process: one mapping node each.
        // σ0's root node of a frame is made when σ0 first maps it: two nodes for a new page.
        // mm keeps the frames of ended children for reuse (free frames) and its tables: σ0's
        // node and mm's each.
        uint32_t pool = now.proc.pool_owned - base.proc.pool_owned;
        uint32_t kept = (now.mm.free_frames + now.mm.table_frames) -
                        (base.mm.free_frames + base.mm.table_frames);
        if (static_cast<int32_t>(kept) < 0) kept = 0;
        uint32_t nodes = now.kernel.map_nodes - base.kernel.map_nodes;
        uint32_t objects = now.kernel.heap_objects - base.kernel.heap_objects;
        if (now.kernel.threads == base.kernel.threads && nodes <= 2 * (pool + kept) &&
            objects == nodes && now.proc.processes == base.proc.processes &&
            now.proc.threads == base.proc.threads && now.mm.clients == base.mm.clients &&
            now.mm.data_frames == base.mm.data_frames)
            return true;
        sleep_ms(10);
    }
    return false;
}

void print_counts(const char* what, const Counts& c) {
    rt::tap::diag("%s: kernel threads %u, map nodes %u, heap objects %u; processes %u, threads %u, "
                  "proc's pool %u pages; mm clients %u, data frames %u, free frames %u, table "
                  "frames %u",
                  what, c.kernel.threads, c.kernel.map_nodes, c.kernel.heap_objects,
                  c.proc.processes, c.proc.threads, c.proc.pool_owned, c.mm.clients,
                  c.mm.data_frames, c.mm.free_frames, c.mm.table_frames);
}

// One child: spawned, waited for (`kill_after_ms` > 0: killed after that long, in a call or
// not). Returns the requests it completed (0 if it ended otherwise); `bad` if it ended in a
// way the server may not end it.
// Whether the comma list `list` holds `name`.
bool named(const char* list, const char* name) {
    size_t n = strlen(name);
    for (const char* at = list; *at != '\0';) {
        const char* end = at;
        while (*end != '\0' && *end != ',')
            ++end;
        if (static_cast<size_t>(end - at) == n && strncmp(at, name, n) == 0) return true;
        at = *end == ',' ? end + 1 : end;
    }
    return false;
}

uint32_t run_one_child(uint32_t server, uint32_t seed, uint32_t count, uint32_t kill_after_ms,
                       bool& bad) {
    char words[48];
    rt_snprintf(words, sizeof words, "child %u %u %u", server, seed, count);
    proc::SpawnReply child{};
    ipc::Error error = proc::client::spawn(g_transport, proc_thread(), "fuzz_rpc", words, child,
                                           axo_timeout_us(2000000));
    if (error != ipc::Error::ok) {
        rt::tap::diag("spawn of a child for %s refused: %s", kServers[server].name,
                      ipc::error_name(error));
        bad = true;
        return 0;
    }
    proc::WaitReply ended{};
    if (kill_after_ms > 0) {
        sleep_ms(kill_after_ms);
        (void)proc::client::kill(g_transport, proc_thread(), static_cast<int32_t>(child.pid),
                                 proc::kSignalKill, axo_timeout_us(2000000));
    }
    error = proc::client::wait(g_transport, proc_thread(), child.pid, 0, ended,
                               axo_timeout_us(30000000));
    if (error != ipc::Error::ok) {
        (void)proc::client::kill(g_transport, proc_thread(), static_cast<int32_t>(child.pid),
                                 proc::kSignalKill, axo_timeout_us(2000000));
        (void)proc::client::wait(g_transport, proc_thread(), child.pid, 0, ended,
                                 axo_timeout_us(2000000));
        rt::tap::diag("child %u for %s did not end in 30 s: %s", seed, kServers[server].name,
                      ipc::error_name(error));
        bad = true;
        return 0;
    }
    if (ended.reason == proc::kExitNormal && ended.status == static_cast<int32_t>(count))
        return count;
    if (kill_after_ms > 0 && ended.reason == proc::kExitKilled) return 0;
    if (kServers[server].may_end_sender && ended.status != -1) return 0;
    rt::tap::diag("child %u for %s ended: reason %u, status %d (seed %u)", seed,
                  kServers[server].name, ended.reason, ended.status, g_seed);
    bad = true;
    return 0;
}

} // namespace

[[noreturn]] void run_rpc_fuzzer() {
    loader::StartArguments args = arguments();
    for (uint32_t i = 1; i < args.argc; ++i)
        if (strcmp(args.argv[i], "victim") == 0) run_victim();
    for (uint32_t i = 1; i + 3 < args.argc; ++i) {
        if (strcmp(args.argv[i], "child") != 0) continue;
        uint32_t server = 0, seed = 0, count = 0;
        if (!parse_number(args.argv[i + 1], server) || server >= kServerCount ||
            !parse_number(args.argv[i + 2], seed) || !parse_number(args.argv[i + 3], count))
            exit(-3);
        run_child(server, seed, count);
    }
    if (const char* text = argument("seed")) parse_number(text, g_seed);
    if (const char* text = argument("requests")) parse_number(text, g_requests);
    // only=NAME[,NAME...]: those servers' rounds alone (to reproduce one by hand, or a system
    // without the others); σ0, proc and mm are always checked.
    const char* only = argument("only");
    rt_tap_begin();
    rt::tap::diag("fuzz-rpc: seed %u, %u requests per server (reproduce: the module's arguments "
                  "seed=%u requests=%u)",
                  g_seed, g_requests, g_seed, g_requests);
    bool found = true;
    for (uint32_t i = 0; i < kServerCount; ++i) {
        g_present[i] = i <= kMmServer || only == nullptr || named(only, kServers[i].name);
        if (!g_present[i]) continue;
        g_servers[i] = lookup(i);
        if (g_servers[i] == AXO_NIL_THREAD) {
            rt::tap::diag("no server %s", kServers[i].name);
            found = false;
        }
    }
    if (found && g_present[kFs] && !open_held_file()) {
        rt::tap::diag("fs: /fuzz-held could not be created");
        found = false;
    }
    // The victim: a second client of fs whose files the children must not reach.
    proc::SpawnReply victim{};
    if (found && g_present[kFs]) {
        if (proc::client::spawn(g_transport, proc_thread(), "fuzz_rpc", "victim", victim,
                                axo_timeout_us(2000000)) == ipc::Error::ok)
            g_victim = victim.main_thread;
        found = g_victim != AXO_NIL_THREAD;
    }
    uint32_t restarted = 0;
    rt::tap::check(found && every_server_serves(restarted) && restarted == 0,
                   "every server found and answering");
    // proc keeps the pages of a process's start-up block for the next one, mm its tables:
    // the baseline is taken after a first child has come and gone.
    bool warm_bad = false;
    (void)run_one_child(g_present[kPciServer] ? kPciServer : kSigma0Server, g_seed, 100, 0,
                        warm_bad);
    // fs keeps what a first client makes it touch (a session buffer's pages, tmpfs's nodes for
    // the few names in /tmp the children may create): warmed up by the first fs child's requests.
    if (g_present[kFs]) (void)run_one_child(kFs, g_seed * 1000u + kFs * 100u, 2000, 0, warm_bad);
    // So does the tty (a page of its tables or stack the first pending reads touch), also for a
    // client killed while it waits.
    if (g_present[kTty]) {
        (void)run_one_child(kTty, g_seed * 1000u + kTty * 100u + 50, 10000, 0, warm_bad);
        (void)run_one_child(kTty, g_seed * 1000u + kTty * 100u + 1, 0, 15, warm_bad);
    }
    // Every other server too: a driver keeps the pages its first requests make it touch (a
    // page of stack its deepest path reaches — a question to proc about the client, the screen's
    // escape parser — with σ0's and mm's nodes): one data frame, seen once in the com2 and the
    // vga rounds and never again, before this warm-up.
    for (uint32_t server = 0; server < kServerCount; ++server) {
        if (!g_present[server] || server == kFs || server == kTty) continue;
        (void)run_one_child(server, g_seed * 1000u + server * 100u + 7, 10000, 0, warm_bad);
        (void)run_one_child(server, g_seed * 1000u + server * 100u + 8, 0, 15, warm_bad);
    }
    sleep_ms(50);
    Counts base = counts();
    print_counts("before", base);
    constexpr uint32_t kChunk = 10000;
    constexpr uint32_t kKilledChildren = 5;
    uint64_t started = rt_clock_us();
    for (uint32_t server = 0; server < kServerCount; ++server) {
        if (!g_present[server] ||
            (only != nullptr && server <= kMmServer && !named(only, kServers[server].name)))
            continue;
        uint64_t round_started = rt_clock_us();
        bool bad = false;
        uint32_t done = 0, children = 0, ended_early = 0;
        uint32_t seed = g_seed * 1000u + server * 100u;
        uint32_t chunk = kServers[server].may_end_sender ? kChunk / 5 : kChunk;
        while (done < g_requests && children < 4 * (g_requests / chunk + 1) && !bad) {
            uint32_t n = g_requests - done < chunk ? g_requests - done : chunk;
            uint32_t completed = run_one_child(server, seed++, n, 0, bad);
            if (completed == 0) ++ended_early;
            done += completed;
            ++children;
            if (!every_server_serves(restarted) || restarted != 0) {
                rt::tap::diag("after child %u for %s: a server stopped answering or a driver was "
                              "restarted (%u restarts; seed %u)",
                              seed - 1, kServers[server].name, restarted, g_seed);
                bad = true;
            }
        }
        // Senders that die in the middle of their calls.
        for (uint32_t k = 0; k < kKilledChildren && !bad; ++k) {
            uint32_t kill_after_ms = 2 + seed % 20;
            (void)run_one_child(server, seed++, 0, kill_after_ms, bad);
            if (!every_server_serves(restarted) || restarted != 0) bad = true;
        }
        Counts now{};
        bool steady = same_counts(base, now);
        if (!steady) {
            print_counts("before", base);
            print_counts("now", now);
        }
        rt::tap::diag("%s: %llu ms", kServers[server].name,
                      static_cast<unsigned long long>((rt_clock_us() - round_started) / 1000));
        rt::tap::check(
            !bad && done >= g_requests && steady,
            "%s: %u malformed requests from %u children (%u ended by their own requests), "
            "%u killed in calls; every server answers, no driver restarted, nothing leaked",
            kServers[server].name, done, children, ended_early, kKilledChildren);
    }
    rt::tap::diag("%llu ms of guest time",
                  static_cast<unsigned long long>((rt_clock_us() - started) / 1000));
    rt_tap_end();
    exit(rt_tap_failures() == 0 ? 0 : 1);
}

} // namespace fuzz

int main() {
    fuzz::run_rpc_fuzzer();
}
