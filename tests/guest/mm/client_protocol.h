/* What the mm test's root task (main.cc) and the client program (client.c) say to each other,
 * and the client's address space. Every client space runs the same client image, paged by mm
 * like an ordinary process: its code comes from an external region (the root task's image
 * pager thread, through mm), its stack from an anonymous region; the kernel maps its UTCB and
 * the KIP. mm is its pager, the root task's supervisor thread its exception handler.
 *
 * The client is remote-controlled: it calls the root task's main thread (kip->root_task)
 * with a report, the reply is the next command, and so on. A command that faults for good
 * never reports: the supervisor restarts the client at its entry, and it reports
 * CLIENT_STARTED again. */
#ifndef MM_TEST_CLIENT_PROTOCOL_H
#define MM_TEST_CLIENT_PROTOCOL_H

#include <stdint.h>

#define CLIENT_CODE                                                                                \
    0x00010000u /* the image (client.ld); its first byte is the entry; nothing maps below 64 KiB   \
                 */
#define CLIENT_CODE_PAGES 4u
#define CLIENT_STACK 0x00018000u /* anonymous, 8 pages */
#define CLIENT_STACK_PAGES 8u
#define CLIENT_STACK_TOP (CLIENT_STACK + CLIENT_STACK_PAGES * 0x1000u)
#define CLIENT_UTCB 0x00030000u
#define CLIENT_HEAP 0x00100000u /* heap_base at attach */
/* Where the tests put their regions. */
#define CLIENT_DATA 0x01000000u
#define CLIENT_SHARED 0x02000000u
#define CLIENT_EXTERNAL 0x03000000u
#define CLIENT_POOL 0x04000000u /* a test pager's own memory */

/* Report (client -> root task, an IPC call): MR1 = status, MR2..MR5 = values. */
#define CLIENT_LABEL_REPORT 0x6D00u
#define CLIENT_REPORT_WORDS 5u
enum client_status {
    CLIENT_STARTED = 1, /* first report after a (re)start */
    CLIENT_DONE = 2,    /* the command ran to its end */
    CLIENT_FAILED = 3,  /* value0 = step, value1 = tag, value2 = error word */
    CLIENT_BAD_OP = 4
};

/* Command (root task -> client, the reply): MR1 = op, MR2..MR13 = arguments a0..a11. */
#define CLIENT_LABEL_COMMAND 0x6D01u
#define CLIENT_ARGS 12u
enum client_op {
    CLIENT_READ = 1,  /* a0 = address -> value0 = the word there */
    CLIENT_WRITE = 2, /* a0 = address, a1 = value */
    /* The first word of a1 pages from a0: a2 = 1 writes a3 + i into page i, a2 = 0 reads.
     * value0 = TSC cycles spent (low 32 bits), value1 = sum of the words read. */
    CLIENT_TOUCH = 3,
    /* An IPC call to the pager (mm): a0 = label, a1 = word count (<= 10), a2.. = the words.
     * value0 = the reply's tag, value1..value2 = its MR1..MR2, value3 = the UTCB error word. */
    CLIENT_CALL_PAGER = 4,
    /* Serves a0 faults mm forwards (kMmPagerWait calls to the pager, mm), each within a2 µs:
     * touches the page at a1 + the fault's offset (so it is the client's own, faulted in from
     * mm if need be) and answers with a map item of it, rights a3. value0 = calls served, value1 =
     * the last offset, value2 = the last cookie, value3 = the last access. */
    CLIENT_SERVE = 5,
    /* unmap: a0 = an fpage, a1 = control -> value0 = the error. */
    CLIENT_UNMAP = 6
};

/* kMmPagerWait, which client.c builds by hand: interfaces/mm/wire.h's AXO_MM_PAGER_WAIT. */
#include "interfaces/mm/wire.h"
#define CLIENT_MM_PAGER_WAIT AXO_MM_PAGER_WAIT

#endif
