// The system calls newlib needs underneath malloc and the console (newlib is configured for
// i686-elf with --disable-newlib-supplied-syscalls: its reentrant wrappers, _read_r, _sbrk_r, ...,
// call these plain POSIX names):
//
//   console_write,       descriptors of the terminals: the server registered as "console" (or
//   console_read         "tty1", file_modes.h) with proc's name service (interfaces/stream),
//                        looked up at the first use; without the console, output goes to the
//                        kernel debug console and stdin is ENOSYS
//   sbrk                 mm's break (kMmSbrk) when mm pages the process, else the static heap
//                        arena of lib/user.ld
//
// The calls on descriptors are descriptors.cc, on paths files.cc and directories.cc; processes,
// signals and time are process.cc, signals.cc and time.cc.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "interfaces/mm/wire.h"
#include "interfaces/names/wire.h"
#include "interfaces/stream/wire.h"
#include "interfaces/tty/protocol.h"
#include "libposix/file_modes.h"
#include "libposix/posix.h"

extern char** environ;

namespace posix {

int fail(ipc::Error error) {
    errno = ipc::to_errno(error);
    return -1;
}

int fail_errno(int code) {
    errno = code;
    return -1;
}

namespace {

DescriptorTable g_descriptors;
bool g_descriptors_ready;

// The table as the program's start found it: the one exec handed over in the environment
// (descriptor_table.h, "Across exec"), taken out of `environ` so that the program never sees
// it; 0, 1 and 2 on the console if there is none (a boot module) or it is malformed.
void take_inherited_descriptors() {
    if (g_descriptors_ready) return;
    g_descriptors_ready = true;
    g_descriptors.open_standard();
    if (environ == nullptr) return;
    const char* prefix = DescriptorTable::kInheritPrefix;
    uint32_t length = static_cast<uint32_t>(__builtin_strlen(prefix));
    for (char** entry = environ; *entry != nullptr; ++entry) {
        if (__builtin_strncmp(*entry, prefix, length) != 0) continue;
        (void)g_descriptors.decode(*entry + length);
        for (char** rest = entry; *rest != nullptr; ++rest)
            rest[0] = rest[1];
        return;
    }
}

// Before main (crt0 runs .init_array after setting environ), so that the environment a program
// reads never holds the table.
__attribute__((constructor(101))) void descriptors_at_start() {
    take_inherited_descriptors();
}

} // namespace

DescriptorTable& descriptors() {
    take_inherited_descriptors();
    return g_descriptors;
}

namespace {

// ---- The heap ------------------------------------------------------------------------------
//
// Two heaps, chosen at the first call:
// - mm's break (interfaces/mm/protocol.h, kMmSbrk), when the process's pager is mm (proc starts
//   every process as an mm client when it runs mm: servers/proc/paging.h): an anonymous region
//   after the image that grows and shrinks with the break, counted against the process's quota:
//   past it sbrk fails with ENOMEM and nothing else is affected.
// - Without mm (proc pages the process itself), a fixed arena that lib/user.ld reserves after
//   .bss, on pages of its own, zero-filled on first touch (newlib's malloc relies on fresh sbrk
//   memory being zero).
// The test for mm is a kMmSbrk of 0 to the pager: proc, the pager without mm, refuses the label.
constexpr uint32_t kMmCallTimeoutUs = 2000000;

enum class HeapMode { unknown, mm, arena };
HeapMode g_heap_mode;

// kMmSbrk(client nil, delta): the old break in *old; 0, or the error label / -1 (IPC).
long mm_sbrk(ptrdiff_t delta, uint32_t* old) {
    axo_utcb_t* utcb = axo_my_utcb();
    axo_thread_id_t pager = utcb->pager;
    if (pager == AXO_NIL_THREAD || pager == proc_thread()) return -1;
    utcb->mr[0] = axo_msg_tag(AXO_MM_SBRK, 2, 0);
    utcb->mr[1] = AXO_NIL_THREAD;
    utcb->mr[2] = static_cast<uint32_t>(delta);
    axo_timeout_t timeout = axo_timeout_us(kMmCallTimeoutUs);
    axo_msg_tag_t tag = axo_ipc_call(pager, axo_timeouts(timeout, timeout));
    if (axo_tag_failed(tag)) return -1;
    if (axo_tag_label(tag) != 0) return static_cast<long>(axo_tag_label(tag));
    if (axo_tag_untyped(tag) != 1) return -1;
    *old = utcb->mr[1];
    return 0;
}

} // namespace

// ---- The terminals -------------------------------------------------------------------------
//
// A server registered as "console" with the name service (interfaces/names) serves the stream
// interface (interfaces/stream): programs that start after it write and read through it. Looked
// up once, at the first use; without one the output goes to the kernel's debug console. The
// other terminals (file_modes.h: "tty1", the VGA screen's) work the same way, but without a
// server their output fails (EIO): only the system console has a fallback.
namespace {

constexpr uint32_t kConsoleTimeoutUs = 10000000; // a write waits this long for room

enum class ConsoleState { unknown, server, debug };
struct TerminalServer {
    ConsoleState state;
    axo_thread_id_t thread;
};
TerminalServer g_terminals[kTerminals];

axo_thread_id_t console_server(uint32_t terminal) {
    TerminalServer& t = g_terminals[terminal];
    if (t.state == ConsoleState::unknown) {
        axo_utcb_t* utcb = axo_my_utcb();
        const char* name = terminal_server_name(terminal);
        char* words = reinterpret_cast<char*>(&utcb->mr[1]);
        bool ended = false;
        for (uint32_t i = 0; i < AXO_NAME_BYTES; ++i) {
            words[i] = ended ? 0 : name[i];
            ended = ended || name[i] == 0;
        }
        utcb->mr[0] = axo_msg_tag(AXO_NAME_LOOKUP, AXO_NAME_BYTES / 4, 0);
        axo_timeout_t timeout = axo_timeout_us(1000000);
        axo_msg_tag_t tag = axo_ipc_call(proc_thread(), axo_timeouts(timeout, timeout));
        if (!axo_tag_failed(tag) && axo_tag_label(tag) == 0 && axo_tag_untyped(tag) == 1) {
            t.thread = utcb->mr[1];
            t.state = ConsoleState::server;
        } else {
            t.state = ConsoleState::debug;
        }
    }
    return t.state == ConsoleState::server ? t.thread : AXO_NIL_THREAD;
}

// One write request: how many bytes the server took, or 0 if it failed (it is then forgotten,
// and looked up again at the next use: a restarted driver registers again); kInterrupted if a
// terminal held a background write back (TOSTOP) and a SIGTTOU handler ran.
constexpr size_t kInterrupted = ~size_t{0};
size_t console_write_chunk(uint32_t terminal, const char* bytes, size_t n) {
    axo_utcb_t* utcb = axo_my_utcb();
    if (n > AXO_STREAM_CHUNK_BYTES) n = AXO_STREAM_CHUNK_BYTES;
    uint32_t label = AXO_STREAM_WRITE;
    axo_msg_tag_t tag;
    for (;;) {
        utcb->mr[1] = static_cast<uint32_t>(n);
        char* data = reinterpret_cast<char*>(&utcb->mr[2]);
        for (size_t i = 0; i < n; ++i)
            data[i] = bytes[i];
        utcb->mr[0] = axo_msg_tag(label, AXO_STREAM_CHUNK_WORDS, 0);
        axo_timeout_t timeout = axo_timeout_us(kConsoleTimeoutUs);
        tag = axo_ipc_call(g_terminals[terminal].thread, axo_timeouts(timeout, timeout));
        if (axo_tag_failed(tag) || axo_tag_label(tag) != AXO_RPC_EACCES) break;
        // A terminal's background write with TOSTOP (interfaces/tty).
        Background what = background(SIGTTOU);
        if (what == Background::interrupted) return kInterrupted;
        if (what == Background::exempt) label = tty::kTtyWriteBackground;
    }
    if (axo_tag_failed(tag) || axo_tag_label(tag) != 0 || axo_tag_untyped(tag) != 1 ||
        utcb->mr[1] == 0 || utcb->mr[1] > n) {
        g_terminals[terminal].state = ConsoleState::unknown;
        return 0;
    }
    return utcb->mr[1];
}

} // namespace

// stdout and stderr: the terminal's server, or (the system console only) the kernel's debug
// console. The kernel reads a debug_write buffer without faulting pages in, so the bytes are
// copied to the stack first.
ssize_t console_write(uint32_t terminal, const char* bytes, size_t count) {
    if (terminal >= kTerminals) return fail_errno(EBADF);
    char chunk[256];
    size_t done = 0;
    while (done < count) {
        if (console_server(terminal) != AXO_NIL_THREAD) {
            size_t n = console_write_chunk(terminal, bytes + done, count - done);
            // A server that died is looked up once more before output falls back.
            if (n == 0 && console_server(terminal) != AXO_NIL_THREAD)
                n = console_write_chunk(terminal, bytes + done, count - done);
            if (n == kInterrupted) return done > 0 ? static_cast<ssize_t>(done) : fail_errno(EINTR);
            if (n > 0) {
                done += n;
                continue;
            }
            g_terminals[terminal].state = ConsoleState::debug;
        }
        if (terminal != 0) {
            g_terminals[terminal].state = ConsoleState::unknown;
            return done > 0 ? static_cast<ssize_t>(done) : fail_errno(EIO);
        }
        size_t n = count - done < sizeof chunk ? count - done : sizeof chunk;
        for (size_t i = 0; i < n; ++i)
            chunk[i] = bytes[done + i];
        if (axo_debug_write(chunk, static_cast<uint32_t>(n)) != AXO_OK) {
            if (done > 0) break;
            return fail_errno(EFAULT);
        }
        done += n;
    }
    return static_cast<ssize_t>(done);
}

// stdin: the terminal server's input (waits for at least one byte); a signal's handler
// interrupts the wait (EINTR, or the read again with SA_RESTART).
ssize_t console_read(uint32_t terminal, char* out, size_t count) {
    if (count == 0) return 0;
    if (terminal >= kTerminals) return fail_errno(EBADF);
    if (console_thread(terminal) == AXO_NIL_THREAD) return fail_errno(terminal == 0 ? ENOSYS : EIO);
    for (;;) {
        axo_utcb_t* utcb = axo_my_utcb();
        utcb->mr[1] =
            static_cast<uint32_t>(count < AXO_STREAM_CHUNK_BYTES ? count : AXO_STREAM_CHUNK_BYTES);
        utcb->mr[2] = AXO_STREAM_READ_WAIT;
        utcb->mr[0] = axo_msg_tag(AXO_STREAM_READ, 2, 0);
        axo_msg_tag_t tag = axo_ipc_call(g_terminals[terminal].thread,
                                         axo_timeouts(AXO_TIMEOUT_NEVER, AXO_TIMEOUT_NEVER));
        if (axo_tag_failed(tag) && call_was_interrupted()) {
            if (restart_after_handler()) continue;
            return fail_errno(EINTR);
        }
        if (!axo_tag_failed(tag) && axo_tag_label(tag) == AXO_RPC_EACCES) {
            // A terminal's read from the background (interfaces/tty): SIGTTIN, or EIO.
            Background what = background(SIGTTIN);
            if (what == Background::retry) continue;
            return fail_errno(what == Background::exempt ? EIO : EINTR);
        }
        if (axo_tag_failed(tag) || axo_tag_label(tag) != 0 ||
            axo_tag_untyped(tag) != AXO_STREAM_CHUNK_WORDS || utcb->mr[1] > count) {
            g_terminals[terminal].state = ConsoleState::unknown;
            return fail_errno(EIO);
        }
        uint32_t n = utcb->mr[1];
        const char* data = reinterpret_cast<const char*>(&utcb->mr[2]);
        for (uint32_t i = 0; i < n; ++i)
            out[i] = data[i];
        return static_cast<ssize_t>(n);
    }
}

// Reads and terminal calls look again for a terminal that was not there at the first use (it
// may register after the program started); writes keep falling back to the debug console
// cheaply.
axo_thread_id_t console_thread(uint32_t terminal) {
    if (terminal >= kTerminals) return AXO_NIL_THREAD;
    if (g_terminals[terminal].state == ConsoleState::debug)
        g_terminals[terminal].state = ConsoleState::unknown;
    return console_server(terminal);
}

} // namespace posix

extern "C" char __heap_start[], __heap_end[]; // lib/user.ld

extern "C" {

void* sbrk(ptrdiff_t increment) {
    using posix::g_heap_mode;
    using posix::HeapMode;
    static char* heap_break = __heap_start;
    if (g_heap_mode == HeapMode::unknown) {
        uint32_t old = 0;
        g_heap_mode = posix::mm_sbrk(0, &old) == 0 ? HeapMode::mm : HeapMode::arena;
    }
    if (g_heap_mode == HeapMode::mm) {
        uint32_t old = 0;
        if (posix::mm_sbrk(increment, &old) != 0) {
            errno = ENOMEM;
            return reinterpret_cast<void*>(-1);
        }
        return reinterpret_cast<void*>(static_cast<uintptr_t>(old));
    }
    // Compare distances, not pointers, so that no increment can wrap around the arena.
    size_t used = static_cast<size_t>(heap_break - __heap_start);
    size_t left = static_cast<size_t>(__heap_end - heap_break);
    if (increment >= 0 ? static_cast<size_t>(increment) > left
                       : static_cast<size_t>(-increment) > used) {
        errno = ENOMEM;
        return reinterpret_cast<void*>(-1);
    }
    char* old_break = heap_break;
    heap_break += increment;
    return old_break;
}

// Which heap sbrk uses: 1 mm's break, 2 the arena (for tests; decides it if not yet).
int axo_heap_mode(void) {
    if (posix::g_heap_mode == posix::HeapMode::unknown) (void)sbrk(0);
    return posix::g_heap_mode == posix::HeapMode::mm ? 1 : 2;
}

// __libc_init_array/__libc_fini_array call these; constructors run from .init_array instead.
void _init(void) {}
void _fini(void) {}

} // extern "C"
