// The IPC fast path (STYLE.md rule 10): the common case of an IPC, handled beside the general
// path (kernel/ipc.cc) and with exactly its observable results — the same messages, UTCB
// contents, thread states, ready-queue order, timeouts and KIP counters. Everything it does
// not take goes to the general path untouched.
//
// The common case: a call or a reply-and-wait whose whole message is in registers (tag and
// at most two untyped words, no typed items), to a user thread that is already waiting in a
// receive that accepts the caller; the caller then waits for the partner (call) or for
// anyone (reply-and-wait) with receive timeout never, and nobody waits to send to it yet.
// The send timeout may be never or zero: with the partner waiting it is never armed.
#pragma once

#include <stdint.h>

#include "kernel/thread.h"

namespace axo::ipc {

// The ipc syscall's registers (kernel/uapi/axolotl/syscalls.h), laid out in the order in which
// the ia32 entry saves them (pusha), so that it hands over its saved frame without copying.
struct FastIpc {
    uint32_t mr1;            // edi: MR1, in and out
    uint32_t mr0;            // esi: MR0, the tag, in and out
    uint32_t mr2;            // ebp: MR2, in and out
    uint32_t unused;         // esp
    uint32_t timeouts;       // ebx
    uint32_t from_specifier; // edx
    uint32_t to;             // ecx
    uint32_t from;           // eax: out, the sender (nil if the receive failed)
};

// For the syscall entry: takes the IPC if it is the common case and returns true once the
// caller has its answer in `io`, counted as a syscall and an IPC; the entry still has to run
// syscalls::before_user_return. Returns false, having changed nothing, otherwise.
bool fast_path(Thread* self, FastIpc& io);

} // namespace axo::ipc
