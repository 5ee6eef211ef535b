// fs-pipes (README.md): pipes, FIFOs and devfs's devices end to end against the running fs
// server, through interfaces/file/client.h — forked processes on both sides of a pipe, blocking
// reads woken by writes, end of file when the last writer's process ends, EPIPE and SIGPIPE,
// O_NONBLOCK, PIPE_BUF atomicity between two writers, the 64 KiB capacity, an abandoned read
// that loses no bytes, the FIFO open rendezvous, and /dev/null, zero, full, urandom, console.
#include "rt/rt.h"
#include "rt/tap.h"

#include "interfaces/file/client.h"
#include "interfaces/process/client.h"
#include "lib/ipc/kernel.h"
#include "lib/names/names.h"

namespace {

using ipc::Error;
using rt::tap::check;
using rt::tap::diag;

constexpr axo_timeout_t kTimeout = axo_timeout_us(10000000);
constexpr uint32_t kSignalPipe = 13;    // newlib's SIGPIPE
constexpr uint32_t kModeFifo = 0010000; // S_IFIFO
constexpr uint32_t kModeTypeMask = 0170000;
constexpr uint32_t kModeCharacterDevice = 0020000;

alignas(file::kBufferBytes) uint8_t g_window[file::kBufferBytes];
alignas(file::kBufferBytes) uint8_t g_child_window[file::kBufferBytes];
alignas(16) uint8_t g_child_stack[16384];
ipc::KernelTransport g_transport;

// What a forked child works on (its copy of the parent's memory at the fork).
int32_t g_ends[2] = {-1, -1};
char g_letter = 'A';

bool expect(Error got, Error want, const char* what) {
    if (got == want) return check(true, "%s: %s", what, ipc::error_name(want));
    return check(false, "%s: got %s, expected %s", what, ipc::error_name(got),
                 ipc::error_name(want));
}

[[noreturn]] void exit_process(int32_t status) {
    (void)proc::client::exit(g_transport, names::proc_thread(), status);
    rt_park();
}

void sleep_ms(uint32_t ms) {
    axo_ipc_receive(rt_kip()->sigma0, axo_timeout_us(ms * 1000)); // σ0 never sends
}

uint32_t child_sp() {
    return (static_cast<uint32_t>(
                reinterpret_cast<uintptr_t>(g_child_stack + sizeof g_child_stack)) &
            ~15u) -
           20;
}

proc::ProcessId fork(void (*function)()) {
    proc::SpawnReply child{};
    Error error = ipc::call(
        names::proc_thread(),
        proc::ForkRequest{static_cast<uint32_t>(reinterpret_cast<uintptr_t>(function)), child_sp()},
        child, kTimeout);
    if (error != Error::ok) diag("fork: %s", ipc::error_name(error));
    return child.pid;
}

proc::WaitReply wait_for(proc::ProcessId pid) {
    proc::WaitReply reply{};
    Error error = proc::client::wait(g_transport, names::proc_thread(), pid, 0, reply, kTimeout);
    if (error != Error::ok) {
        diag("wait: %s", ipc::error_name(error));
        reply.reason = 0xFF;
    }
    return reply;
}

bool exited_with(proc::ProcessId pid, int32_t status) {
    proc::WaitReply reply = wait_for(pid);
    if (reply.reason == proc::kExitNormal && reply.status == status) return true;
    diag("child %u: reason %u, status %d", static_cast<unsigned>(pid),
         static_cast<unsigned>(reply.reason), static_cast<int>(reply.status));
    return false;
}

uint64_t now_us() {
    return rt_clock_us();
}

void wait_for_fs(file::Client& files) {
    for (int i = 0; i < 500; ++i) {
        if (files.attach() == Error::ok) return;
        sleep_ms(10);
    }
}

// ---- Children -------------------------------------------------------------------------------

// Sleeps, then writes "wake" into g_ends[1].
void late_writer() {
    file::Client files(g_child_window);
    sleep_ms(300);
    size_t done = 0;
    Error error = files.write(g_ends[1], "wake", 4, done);
    exit_process(error == Error::ok && done == 4 ? 0 : 1);
}

// Writes "bye" and ends without closing anything: fs closes its ends at the exit.
void writer_that_exits() {
    file::Client files(g_child_window);
    (void)files.close(g_ends[0]);
    size_t done = 0;
    Error error = files.write(g_ends[1], "bye", 3, done);
    exit_process(error == Error::ok && done == 3 ? 0 : 1);
}

// Writes to a pipe without reader: SIGPIPE ends it; if it lives on, its status says what it got.
void writer_without_reader() {
    file::Client files(g_child_window);
    size_t done = 0;
    Error error = files.write(g_ends[1], "x", 1, done);
    sleep_ms(2000);
    exit_process(error == Error::broken_pipe ? 2 : 3);
}

// Parks a write on a full pipe; the parent then closes the last read end.
void parked_writer() {
    file::Client files(g_child_window);
    (void)files.close(g_ends[0]);
    static uint8_t block[4096];
    size_t done = 0;
    Error error = files.write(g_ends[1], block, sizeof block, done);
    sleep_ms(2000);
    exit_process(error == Error::broken_pipe ? 2 : 3);
}

// 64 writes of 4096 bytes of g_letter.
void letter_writer() {
    file::Client files(g_child_window);
    (void)files.close(g_ends[0]);
    static uint8_t block[4096];
    memset(block, g_letter, sizeof block);
    for (int i = 0; i < 64; ++i) {
        size_t done = 0;
        if (files.write(g_ends[1], block, sizeof block, done) != Error::ok || done != sizeof block)
            exit_process(1);
    }
    exit_process(0);
}

// A read that gives up (its call times out) while nothing is there; the bytes written after
// must all reach its next read, once.
void impatient_reader() {
    file::Client impatient(g_child_window, "fs", axo_timeout_us(100000));
    char data[16] = {};
    size_t done = 0;
    Error first = impatient.read(g_ends[0], data, sizeof data, done);
    if (first == Error::ok) exit_process(1);
    sleep_ms(500); // the parent writes meanwhile: fs's answer to the abandoned read fails
    file::Client files(g_child_window, "fs", kTimeout);
    Error second = files.read(g_ends[0], data, sizeof data, done);
    exit_process(second == Error::ok && done == 3 && memcmp(data, "xyz", 3) == 0 ? 0 : 2);
}

// Opens the FIFO for writing (late: the parent's open for reading waits), writes, ends.
void fifo_writer() {
    file::Client files(g_child_window);
    sleep_ms(300);
    int32_t h = -1;
    if (files.open(file::kAtCwd, "/tmp/fifo", AXO_FILE_O_WRONLY, 0, h) != Error::ok)
        exit_process(1);
    size_t done = 0;
    Error error = files.write(h, "fifo", 4, done);
    exit_process(error == Error::ok && done == 4 ? 0 : 2);
}

// Opens the FIFO for reading at once (it waits for the parent's writer) and reads.
void fifo_reader() {
    file::Client files(g_child_window);
    int32_t h = -1;
    if (files.open(file::kAtCwd, "/tmp/fifo", AXO_FILE_O_RDONLY, 0, h) != Error::ok)
        exit_process(1);
    char data[8] = {};
    size_t done = 0;
    Error error = files.read(h, data, sizeof data, done);
    exit_process(error == Error::ok && done == 2 && memcmp(data, "hi", 2) == 0 ? 0 : 2);
}

// ---- The parts ------------------------------------------------------------------------------

void pipe_basics(file::Client& files) {
    int32_t ends[2] = {-1, -1};
    expect(files.pipe(ends), Error::ok, "pipe");
    check(ends[0] >= 0 && ends[1] >= 0 && ends[0] != ends[1], "pipe gives two handles");
    file::Stat st{};
    expect(files.fstat(ends[0], st), Error::ok, "fstat of a pipe end");
    check((st.mode & kModeTypeMask) == kModeFifo, "a pipe end is a FIFO");
    size_t done = 0;
    expect(files.write(ends[1], "hello", 5, done), Error::ok, "write to a pipe");
    char data[16] = {};
    expect(files.read(ends[0], data, sizeof data, done), Error::ok, "read from a pipe");
    check(done == 5 && memcmp(data, "hello", 5) == 0, "the pipe gives the bytes written");
    expect(files.write(ends[0], "x", 1, done), Error::bad_handle, "write to the read end: EBADF");
    expect(files.read(ends[1], data, 1, done), Error::bad_handle, "read of the write end: EBADF");
    uint64_t position = 0;
    expect(files.seek(ends[0], 0, AXO_FILE_SEEK_SET, position), Error::not_seekable,
           "lseek on a pipe: ESPIPE");
    int32_t bad[2];
    expect(files.pipe(bad, 0x8), Error::invalid_argument, "pipe with unknown flags: EINVAL");

    // A read that blocks until another process writes.
    g_ends[0] = ends[0];
    g_ends[1] = ends[1];
    uint64_t start = now_us();
    proc::ProcessId child = fork(late_writer);
    expect(files.read(ends[0], data, sizeof data, done), Error::ok, "a blocking read");
    uint64_t waited = now_us() - start;
    check(done == 4 && memcmp(data, "wake", 4) == 0, "the blocked read got the later write");
    check(waited >= 200000, "the read waited for the write (%u ms)",
          static_cast<unsigned>(waited / 1000));
    check(exited_with(child, 0), "the writer's write went through");

    // End of file once the last writer's process ended (without closing).
    child = fork(writer_that_exits);
    expect(files.close(ends[1]), Error::ok, "close the parent's write end");
    expect(files.read(ends[0], data, sizeof data, done), Error::ok, "read the child's bytes");
    check(done == 3 && memcmp(data, "bye", 3) == 0, "the child's bytes came");
    expect(files.read(ends[0], data, sizeof data, done), Error::ok, "read after the writer ended");
    check(done == 0, "end of file once the last writer's process ended");
    check(exited_with(child, 0), "the exiting writer wrote");
    expect(files.close(ends[0]), Error::ok, "close the read end");
}

void broken_pipes(file::Client& files) {
    int32_t ends[2] = {-1, -1};
    expect(files.pipe(ends), Error::ok, "pipe");
    expect(files.close(ends[0]), Error::ok, "close the only read end");
    size_t done = 0;
    g_ends[1] = ends[1];
    proc::ProcessId child = fork(writer_without_reader);
    proc::WaitReply reply = wait_for(child);
    check(reply.reason == proc::kExitKilled && reply.status == kSignalPipe,
          "a write without reader: the writer is killed by SIGPIPE (reason %u, status %d)",
          static_cast<unsigned>(reply.reason), static_cast<int>(reply.status));
    expect(files.close(ends[1]), Error::ok, "close the write end");

    // A writer parked on a full pipe when the last reader goes.
    expect(files.pipe(ends, AXO_FILE_O_NONBLOCK), Error::ok, "a non-blocking pipe");
    static uint8_t block[4096];
    uint32_t total = 0;
    for (int i = 0; i < 32; ++i) {
        if (files.write(ends[1], block, sizeof block, done) != Error::ok) break;
        total += static_cast<uint32_t>(done);
    }
    check(total == 65536, "a pipe takes 64 KiB (%u bytes)", static_cast<unsigned>(total));
    expect(files.write(ends[1], "x", 1, done), Error::would_block,
           "a write to a full non-blocking pipe: EAGAIN");
    char data[8];
    expect(files.set_flags(ends[1], AXO_FILE_O_WRONLY), Error::ok, "make the write end blocking");
    g_ends[0] = ends[0];
    g_ends[1] = ends[1];
    child = fork(parked_writer);
    sleep_ms(300);
    expect(files.close(ends[0]), Error::ok, "close the last read end under a parked writer");
    reply = wait_for(child);
    check(reply.reason == proc::kExitKilled && reply.status == kSignalPipe,
          "the parked writer gets EPIPE and SIGPIPE (reason %u, status %d)",
          static_cast<unsigned>(reply.reason), static_cast<int>(reply.status));
    expect(files.close(ends[1]), Error::ok, "close the write end");

    // O_NONBLOCK on an empty pipe.
    expect(files.pipe(ends, AXO_FILE_O_NONBLOCK), Error::ok, "a non-blocking pipe");
    expect(files.read(ends[0], data, sizeof data, done), Error::would_block,
           "a read of an empty non-blocking pipe: EAGAIN");
    expect(files.close(ends[1]), Error::ok, "close the write end");
    expect(files.read(ends[0], data, sizeof data, done), Error::ok,
           "a non-blocking read without writer");
    check(done == 0, "it reads end of file, not EAGAIN");
    expect(files.close(ends[0]), Error::ok, "close the read end");
}

void atomic_writes(file::Client& files) {
    int32_t ends[2] = {-1, -1};
    expect(files.pipe(ends), Error::ok, "pipe");
    g_ends[0] = ends[0];
    g_ends[1] = ends[1];
    g_letter = 'A';
    proc::ProcessId a = fork(letter_writer);
    g_letter = 'B';
    proc::ProcessId b = fork(letter_writer);
    expect(files.close(ends[1]), Error::ok, "close the parent's write end");
    static uint8_t data[3000];
    uint32_t total = 0, count_a = 0, count_b = 0;
    bool uniform = true;
    char block_letter = 0;
    for (;;) {
        size_t done = 0;
        if (files.read(ends[0], data, sizeof data, done) != Error::ok || done == 0) break;
        for (size_t i = 0; i < done; ++i, ++total) {
            if (total % 4096 == 0) block_letter = static_cast<char>(data[i]);
            if (data[i] != block_letter) uniform = false;
            count_a += data[i] == 'A';
            count_b += data[i] == 'B';
        }
    }
    check(total == 2 * 64 * 4096 && count_a == 64 * 4096 && count_b == 64 * 4096,
          "two writers' 512 KiB all came through (%u bytes)", static_cast<unsigned>(total));
    check(uniform, "writes of PIPE_BUF bytes never interleave");
    check(exited_with(a, 0) && exited_with(b, 0), "both writers wrote everything");
    expect(files.close(ends[0]), Error::ok, "close the read end");
}

void abandoned_read(file::Client& files) {
    int32_t ends[2] = {-1, -1};
    expect(files.pipe(ends), Error::ok, "pipe");
    g_ends[0] = ends[0];
    g_ends[1] = ends[1];
    proc::ProcessId child = fork(impatient_reader);
    sleep_ms(250); // the child's first read has given up by now
    size_t done = 0;
    expect(files.write(ends[1], "xyz", 3, done), Error::ok, "write while a read was abandoned");
    check(exited_with(child, 0), "an abandoned read loses no bytes and duplicates none");
    expect(files.close(ends[0]), Error::ok, "close the read end");
    // The child's ends went at its exit: the write end left is the parent's, without reader.
    // With SIGPIPE caught the writer lives, and the signal waits for it at proc.
    proc::SignalStateReply signals{};
    expect(proc::client::signal_state(g_transport, names::proc_thread(), 0,
                                      proc::signal_bit(kSignalPipe), signals, kTimeout),
           Error::ok, "catch SIGPIPE");
    expect(files.write(ends[1], "q", 1, done), Error::broken_pipe,
           "a write without readers: EPIPE");
    expect(proc::client::signal_state(g_transport, names::proc_thread(), 0, 0, signals, kTimeout),
           Error::ok, "collect the pending signals");
    check((signals.pending & proc::signal_bit(kSignalPipe)) != 0,
          "SIGPIPE is pending for the writer that caught it");
    expect(files.close(ends[1]), Error::ok, "close the write end");
}

void fifos(file::Client& files) {
    expect(files.mknod(file::kAtCwd, "/tmp/fifo", kModeFifo | 0666, 0), Error::ok, "mkfifo");
    int32_t h = -1;
    expect(files.open(file::kAtCwd, "/tmp/fifo", AXO_FILE_O_WRONLY | AXO_FILE_O_NONBLOCK, 0, h),
           Error::no_device, "a non-blocking open for writing without reader: ENXIO");
    expect(files.open(file::kAtCwd, "/tmp/fifo", AXO_FILE_O_RDONLY | AXO_FILE_O_NONBLOCK, 0, h),
           Error::ok, "a non-blocking open for reading without writer");
    expect(files.close(h), Error::ok, "close it");

    // The reader's open waits for a writer.
    proc::ProcessId child = fork(fifo_writer);
    uint64_t start = now_us();
    expect(files.open(file::kAtCwd, "/tmp/fifo", AXO_FILE_O_RDONLY, 0, h), Error::ok,
           "open a FIFO for reading");
    uint64_t waited = now_us() - start;
    check(waited >= 200000, "the open waited for a writer (%u ms)",
          static_cast<unsigned>(waited / 1000));
    char data[8] = {};
    size_t done = 0;
    expect(files.read(h, data, sizeof data, done), Error::ok, "read the FIFO");
    check(done == 4 && memcmp(data, "fifo", 4) == 0, "the writer's bytes came through the FIFO");
    check(exited_with(child, 0), "the FIFO's writer wrote");
    expect(files.read(h, data, sizeof data, done), Error::ok, "read after the writer ended");
    check(done == 0, "end of file on the FIFO");
    expect(files.close(h), Error::ok, "close the FIFO");

    // The writer's open waits for a reader (the child, which opened first).
    child = fork(fifo_reader);
    expect(files.open(file::kAtCwd, "/tmp/fifo", AXO_FILE_O_WRONLY, 0, h), Error::ok,
           "open a FIFO for writing meets the waiting reader");
    expect(files.write(h, "hi", 2, done), Error::ok, "write the FIFO");
    check(exited_with(child, 0), "the FIFO's reader read");
    expect(files.close(h), Error::ok, "close the FIFO");
    expect(files.open(file::kAtCwd, "/tmp/fifo", AXO_FILE_O_RDWR, 0, h), Error::ok,
           "O_RDWR opens a FIFO at once");
    expect(files.close(h), Error::ok, "close it");
    expect(files.unlink(file::kAtCwd, "/tmp/fifo"), Error::ok, "unlink the FIFO");
}

void devices(file::Client& files) {
    int32_t h = -1;
    size_t done = 0;
    uint8_t data[64];
    expect(files.open(file::kAtCwd, "/dev/null", AXO_FILE_O_RDWR, 0, h), Error::ok,
           "open /dev/null");
    expect(files.write(h, "discarded", 9, done), Error::ok, "write /dev/null");
    check(done == 9, "/dev/null takes everything");
    expect(files.read(h, data, sizeof data, done), Error::ok, "read /dev/null");
    check(done == 0, "/dev/null reads end of file");
    expect(files.close(h), Error::ok, "close");

    expect(files.open(file::kAtCwd, "/dev/zero", AXO_FILE_O_RDONLY, 0, h), Error::ok,
           "open /dev/zero");
    memset(data, 0xAA, sizeof data);
    expect(files.read(h, data, sizeof data, done), Error::ok, "read /dev/zero");
    bool zeros = done == sizeof data;
    for (uint8_t byte : data)
        zeros = zeros && byte == 0;
    check(zeros, "/dev/zero gives zeros");
    expect(files.close(h), Error::ok, "close");

    expect(files.open(file::kAtCwd, "/dev/full", AXO_FILE_O_RDWR, 0, h), Error::ok,
           "open /dev/full");
    expect(files.write(h, "x", 1, done), Error::no_space, "write /dev/full: ENOSPC");
    expect(files.read(h, data, 8, done), Error::ok, "read /dev/full");
    check(done == 8, "/dev/full reads");
    expect(files.close(h), Error::ok, "close");

    expect(files.open(file::kAtCwd, "/dev/urandom", AXO_FILE_O_RDWR, 0, h), Error::ok,
           "open /dev/urandom");
    uint8_t first[32], second[32];
    expect(files.read(h, first, sizeof first, done), Error::ok, "read /dev/urandom");
    check(done == sizeof first, "32 random bytes");
    expect(files.read(h, second, sizeof second, done), Error::ok, "read /dev/urandom again");
    check(memcmp(first, second, sizeof first) != 0, "two reads of /dev/urandom differ");
    expect(files.write(h, "seed", 4, done), Error::ok, "write /dev/urandom (mixed in)");
    expect(files.close(h), Error::ok, "close");

    struct Node {
        const char* path;
        uint32_t device;
    };
    const Node nodes[] = {
        {"/dev/console", 5u << 8 | 1}, {"/dev/tty", 5u << 8 | 0}, {"/dev/ttyS0", 4u << 8 | 64}};
    for (const Node& node : nodes) {
        file::Stat st{};
        expect(files.stat(file::kAtCwd, node.path, st), Error::ok, node.path);
        check((st.mode & kModeTypeMask) == kModeCharacterDevice && st.rdev == node.device,
              "%s is a character device %u:%u", node.path, node.device >> 8, node.device & 0xFF);
    }
    expect(files.open(file::kAtCwd, "/dev/console", AXO_FILE_O_WRONLY, 0, h), Error::ok,
           "open /dev/console");
    expect(files.write(h, "x", 1, done), Error::unsupported,
           "its data is not fs's: the client routes it");
    expect(files.close(h), Error::ok, "close");
}

void nothing_leaks(file::Client& files) {
    // More pipes than fs holds at once, one after the other: each is freed at its last close.
    bool all = true;
    for (int i = 0; i < 80 && all; ++i) {
        int32_t ends[2];
        all = files.pipe(ends) == Error::ok && files.close(ends[0]) == Error::ok &&
              files.close(ends[1]) == Error::ok;
    }
    check(all, "80 pipes made and closed one after the other");
}

} // namespace

int main() {
    rt_tap_begin();
    file::Client files(g_window, "fs", kTimeout);
    wait_for_fs(files);
    if (!expect(files.attach(), Error::ok, "attach to fs")) {
        rt_tap_end();
        exit_process(1);
    }
    pipe_basics(files);
    broken_pipes(files);
    atomic_writes(files);
    abandoned_read(files);
    fifos(files);
    devices(files);
    nothing_leaks(files);
    rt_tap_end();
    exit_process(0);
}
