/* The probe: the one program every test space of the small-space tests runs, remote-controlled
 * by the root task (probe_protocol.h). It is linked at PROBE_CODE (probe.ld) and copied by the
 * root task into pages it maps read-only into each test space, so it must not have writable
 * globals: all its state is on its stack. */
#include "axolotl/syscalls.h"
#include "probe_protocol.h"

/* gcc may turn structure copies and clears into calls of these. */
void* memset(void* dst, int value, unsigned n) {
    unsigned char* d = dst;
    while (n--)
        *d++ = (unsigned char)value;
    return dst;
}
void* memcpy(void* dst, const void* src, unsigned n) {
    unsigned char* d = dst;
    const unsigned char* s = src;
    while (n--)
        *d++ = *s++;
    return dst;
}

/* Where the probe starts, and restarts after a fault the root task handled: the first byte
 * of the image (probe.ld), so the root task knows the address without a symbol table. */
__asm__(".section .text.entry, \"ax\"\n"
        ".globl probe_start\n"
        "probe_start:\n"
        "    andl $-16, %esp\n"
        "    call probe_main\n"
        "    ud2\n"
        ".previous\n");

typedef struct report {
    uint32_t status, value[3];
} report_t;

static uint32_t ipc_timeouts(void) {
    /* Generous: Bochs is slow, and a partner may first have to be faulted in. */
    axo_timeout_t t = axo_timeout_us(3000000);
    return axo_timeouts(t, t);
}

static report_t failed(uint32_t step, uint32_t tag) {
    report_t r = {PROBE_FAILED, {step, tag, axo_my_utcb()->error}};
    return r;
}

static report_t ping(axo_thread_id_t partner, uint32_t rounds) {
    axo_utcb_t* u = axo_my_utcb();
    axo_counters_t before, after;
    if (axo_debug_counters(&before) != AXO_OK) return failed(0xC0, 0);
    for (uint32_t i = 0; i < rounds; ++i) {
        u->mr[0] = axo_msg_tag(PROBE_LABEL_PING, 1, 0);
        u->mr[1] = i;
        axo_msg_tag_t tag = axo_ipc_call(partner, ipc_timeouts());
        if (axo_tag_failed(tag) || axo_tag_label(tag) != PROBE_LABEL_PONG || u->mr[1] != i + 1)
            return failed(i, tag);
    }
    if (axo_debug_counters(&after) != AXO_OK) return failed(0xC1, 0);
    report_t r = {PROBE_DONE,
                  {after.cr3_writes - before.cr3_writes,
                   after.segment_reloads - before.segment_reloads,
                   after.space_switches - before.space_switches}};
    return r;
}

static int is_ping(axo_msg_tag_t tag) {
    return !axo_tag_failed(tag) && axo_tag_label(tag) == PROBE_LABEL_PING;
}

static void set_pong(axo_utcb_t* u) {
    u->mr[1] = u->mr[1] + 1;
    u->mr[0] = axo_msg_tag(PROBE_LABEL_PONG, 1, 0);
}

/* first, second: nil for an open receive; else the pings must alternate between them. */
static report_t serve(uint32_t pings, axo_thread_id_t first, axo_thread_id_t second) {
    axo_utcb_t* u = axo_my_utcb();
    axo_counters_t before, after;
    axo_timeout_t t = axo_timeout_us(3000000);
    uint32_t changes = 0;
    if (pings == 0) return failed(0, 0);
    axo_thread_id_t from = first != AXO_NIL_THREAD ? first : AXO_ANY_THREAD;
    axo_thread_id_t client = axo_ipc_receive(from, t);
    if (!is_ping(u->mr[0])) return failed(0, u->mr[0]);
    if (axo_debug_counters(&before) != AXO_OK) return failed(0xC0, 0);
    for (uint32_t i = 1; i < pings; ++i) {
        if (first != AXO_NIL_THREAD) from = client == first ? second : first;
        set_pong(u);
        axo_thread_id_t next = axo_ipc(client, from, axo_timeouts(AXO_TIMEOUT_ZERO, t));
        if (!is_ping(u->mr[0])) return failed(i, u->mr[0]);
        if (next != client) ++changes;
        client = next;
    }
    if (axo_debug_counters(&after) != AXO_OK) return failed(0xC1, 0);
    set_pong(u);
    axo_msg_tag_t tag = axo_ipc_send(client, AXO_TIMEOUT_ZERO);
    if (axo_tag_failed(tag)) return failed(pings, tag);
    report_t r = {PROBE_DONE,
                  {changes, after.cr3_writes - before.cr3_writes,
                   after.segment_reloads - before.segment_reloads}};
    return r;
}

static report_t execute(const uint32_t* a, uint32_t op) {
    report_t r = {PROBE_DONE, {0, 0, 0}};
    switch (op) {
    case PROBE_READ32:
        r.value[0] = *(volatile uint32_t*)a[0];
        break;
    case PROBE_READ8:
        r.value[0] = *(volatile uint8_t*)a[0];
        break;
    case PROBE_WRITE32:
        *(volatile uint32_t*)a[0] = a[1];
        break;
    case PROBE_WRITE8:
        *(volatile uint8_t*)a[0] = (uint8_t)a[1];
        break;
    case PROBE_PUSH:
        __asm__ volatile("movl %%esp, %%edx\n\t"
                         "movl %0, %%esp\n\t"
                         "pushl $0x5ECu\n\t"
                         "movl %%edx, %%esp"
                         :
                         : "r"(a[0])
                         : "edx", "memory");
        break;
    case PROBE_SYSCALL: {
        axo_syscall_regs_t regs = {a[0], a[1], a[2], a[3], a[4], a[5], a[6]};
        axo_syscall(&regs);
        r.value[0] = regs.eax;
        r.value[1] = regs.edx;
        r.value[2] = regs.ebx;
        break;
    }
    case PROBE_PING:
        return ping(a[0], a[1]);
    case PROBE_SERVE:
        return serve(a[0], a[1], a[2]);
    case PROBE_SPIN: {
        volatile uint32_t* flag = (volatile uint32_t*)a[0];
        uint32_t n = 0;
        while (flag[0] == 0 && n < a[1])
            flag[1] = ++n;
        r.value[0] = *(volatile uint32_t*)a[2];
        r.value[1] = n;
        break;
    }
    case PROBE_READ_TWO:
        r.value[0] = *(volatile uint32_t*)a[0];
        r.value[1] = *(volatile uint32_t*)a[1];
        break;
    case PROBE_READ_GS: {
        uint32_t v;
        __asm__ volatile("movl %%gs:(%1), %0" : "=r"(v) : "r"(a[0]) : "memory");
        r.value[0] = v;
        break;
    }
    case PROBE_CALL:
        ((void (*)(void))a[0])();
        break;
    case PROBE_SEND_MAP: {
        axo_utcb_t* u = axo_my_utcb();
        u->mr[0] = axo_msg_tag(PROBE_LABEL_MAP, 0, 2);
        u->mr[1] = axo_map_item_word0(a[2], 0);
        u->mr[2] = axo_fpage(a[1], 12, a[3]);
        axo_msg_tag_t tag = axo_ipc_send(a[0], axo_timeout_us(3000000));
        if (axo_tag_failed(tag)) return failed(0, tag);
        break;
    }
    case PROBE_RECEIVE: {
        axo_utcb_t* u = axo_my_utcb();
        axo_ipc_receive(a[0], axo_timeout_us(3000000));
        r.value[0] = u->mr[0];
        r.value[1] = u->error;
        break;
    }
    default:
        r.status = PROBE_BAD_OP;
        break;
    }
    return r;
}

__attribute__((noreturn, used)) void probe_main(void) {
    report_t r = {PROBE_STARTED, {0, 0, 0}};
    for (;;) {
        axo_utcb_t* u = axo_my_utcb();
        u->br[0] = AXO_FPAGE_COMPLETE;
        u->mr[0] = axo_msg_tag(PROBE_LABEL_REPORT, 4, 0);
        u->mr[1] = r.status;
        u->mr[2] = r.value[0];
        u->mr[3] = r.value[1];
        u->mr[4] = r.value[2];
        /* The pager is the root task's thread that drives this probe. */
        axo_msg_tag_t tag =
            axo_ipc_call(u->pager, axo_timeouts(AXO_TIMEOUT_NEVER, AXO_TIMEOUT_NEVER));
        if (axo_tag_failed(tag) || axo_tag_label(tag) != PROBE_LABEL_COMMAND ||
            axo_tag_untyped(tag) < PROBE_COMMAND_WORDS) {
            r = failed(0xBAD, tag);
            continue;
        }
        uint32_t args[7];
        for (uint32_t i = 0; i < 7; ++i)
            args[i] = u->mr[2 + i];
        r = execute(args, u->mr[1]);
    }
}
