/* What the root task of the small-space tests (main.cc) and the probe program that runs in
 * every test space (probe.c) say to each other. The probe is remote-controlled: it calls its
 * pager (the root task) with a report, the reply carries the next command, and so on. An
 * access that faults never reports: the root task gets the exception IPC instead, restarts
 * the probe at its entry, and the probe reports kStatusStarted again.
 *
 * The probe's own address space (the same virtual layout in every test space, small or
 * large; everything lies below one 4 MiB block): */
#ifndef SMALL_SPACES_PROBE_PROTOCOL_H
#define SMALL_SPACES_PROBE_PROTOCOL_H

#include <stdint.h>

#define PROBE_CODE                                                                                 \
    0x00080000u /* the probe image (probe.ld), read-only, shared by all; nothing maps below 64 KiB \
                 */
#define PROBE_STACK 0x00010000u /* one private page; the stack starts at its top */
#define PROBE_STACK_TOP (PROBE_STACK + 0x1000u)
#define PROBE_DATA 0x00020000u /* one page, shared with the root task (it writes and reads it) */
#define PROBE_UTCB 0x00030000u /* placed by thread_control; the kernel maps that page itself */
#define PROBE_CODE_MAX_PAGES 4u

/* Report (probe -> root task, an IPC call): MR1 = status, MR2..MR4 = values. The probe keeps
 * its receive window open over its whole space, so a command may carry map items. */
#define PROBE_LABEL_REPORT 0x5E00u
enum probe_status {
    PROBE_STARTED = 1, /* first report after a (re)start */
    PROBE_DONE = 2,    /* the command ran to its end */
    PROBE_FAILED = 3,  /* the command failed: MR2 = round or step, MR3 = tag, MR4 = error word */
    PROBE_BAD_OP = 4
};

/* Command (root task -> probe, the reply): MR1 = op, MR2..MR8 = arguments a0..a6. */
#define PROBE_LABEL_COMMAND 0x5E01u
#define PROBE_COMMAND_WORDS 8u
enum probe_op {
    /* Memory probes: value0 = what was read. */
    PROBE_READ32 = 1,  /* a0 = address */
    PROBE_READ8 = 2,   /* a0 = address */
    PROBE_WRITE32 = 3, /* a0 = address, a1 = value */
    PROBE_WRITE8 = 4,  /* a0 = address, a1 = value */
    /* Sets esp = a0 and pushes a word: a stack-segment access at a0 - 4. */
    PROBE_PUSH = 5,
    /* Any syscall: a0..a6 = eax ecx edx ebx esi edi ebp; values = eax, edx, ebx after it. */
    PROBE_SYSCALL = 6,
    /* a1 rounds of IPC calls to a0 (label PROBE_LABEL_PING, MR1 = round, answer MR1 + 1),
     * between two readings of the kernel counters: values = deltas of cr3_writes,
     * segment_reloads, space_switches. */
    PROBE_PING = 7,
    /* Answers a0 pings, then reports: from anyone (open receive) if a1 is nil, else from a1
     * and a2 in turn (closed receives), a1 first. The counters are read after the first ping
     * arrived and before the last answer went out, so the window holds only the ping-pong:
     * values = client changes (pings whose sender differs from the one before), cr3_writes
     * delta, segment_reloads delta. */
    PROBE_SERVE = 8,
    /* Spins until the word at a0 is not 0 (at most a1 iterations), counting iterations in
     * the word at a0 + 4: value0 = the word at a2 after the spin, value1 = iterations. */
    PROBE_SPIN = 9,
    /* value0 = the word at a0, value1 = the word at a1. */
    PROBE_READ_TWO = 10,
    /* Calls the code at a0 (an instruction fetch there). */
    PROBE_CALL = 11,
    /* Sends a0 a message (label PROBE_LABEL_MAP) with one map item: the page at a1, with
     * rights a3, to land at a2 in the receiver (its window permitting). */
    PROBE_SEND_MAP = 12,
    /* Receives one message from a0 with the whole space as the receive window: value0 = the
     * tag, value1 = the error word. */
    PROBE_RECEIVE = 13,
    /* value0 = the word at %gs:a0 (the UTCB segment). */
    PROBE_READ_GS = 14
};

#define PROBE_LABEL_PING 0x5E02u
#define PROBE_LABEL_PONG 0x5E03u
#define PROBE_LABEL_MAP 0x5E04u

#endif
