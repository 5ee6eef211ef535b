/* The client: the one program every client space of the mm test runs, remote-controlled by
 * the root task (client_protocol.h). Linked at CLIENT_CODE (client.ld) and served read-only to
 * every client through mm, so it has no writable globals: all its state is on its stack. */
#include "axolotl/syscalls.h"
#include "client_protocol.h"

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

/* The entry, and where the supervisor restarts the client: the first byte of the image. */
__asm__(".section .text.entry, \"ax\"\n"
        ".globl client_start\n"
        "client_start:\n"
        "    andl $-16, %esp\n"
        "    call client_main\n"
        "    ud2\n"
        ".previous\n");

typedef struct report {
    uint32_t status, value[4];
} report_t;

static uint32_t tsc(void) {
    uint32_t low, high;
    __asm__ volatile("rdtsc" : "=a"(low), "=d"(high));
    return low;
}

static report_t failed(uint32_t step, uint32_t tag) {
    report_t r = {CLIENT_FAILED, {step, tag, axo_my_utcb()->error, 0}};
    return r;
}

static report_t touch(const uint32_t* a) {
    report_t r = {CLIENT_DONE, {0, 0, a[1], 0}};
    uint32_t start = tsc();
    for (uint32_t i = 0; i < a[1]; ++i) {
        volatile uint32_t* word = (volatile uint32_t*)(a[0] + i * 0x1000u);
        if (a[2])
            *word = a[3] + i;
        else
            r.value[1] += *word;
    }
    r.value[0] = tsc() - start;
    return r;
}

static report_t call_pager(const uint32_t* a) {
    axo_utcb_t* u = axo_my_utcb();
    uint32_t count = a[1] <= 10 ? a[1] : 10;
    u->mr[0] = axo_msg_tag(a[0], count, 0);
    for (uint32_t i = 0; i < count; ++i)
        u->mr[1 + i] = a[2 + i];
    axo_timeout_t t = axo_timeout_us(5000000);
    axo_msg_tag_t tag = axo_ipc_call(u->pager, axo_timeouts(t, t));
    report_t r = {CLIENT_DONE, {tag, u->mr[1], u->mr[2], axo_tag_failed(tag) ? u->error : 0}};
    return r;
}

/* An external pager for mm: each page it hands out is its own, at a1 + offset. */
static report_t serve(const uint32_t* a) {
    axo_utcb_t* u = axo_my_utcb();
    report_t r = {CLIENT_DONE, {0, 0, 0, 0}};
    axo_thread_id_t mm = u->pager;
    for (uint32_t i = 0; i < a[0]; ++i) {
        axo_ipc_receive(mm, axo_timeout_us(a[2]));
        axo_msg_tag_t tag = u->mr[0];
        if (axo_tag_failed(tag) || axo_tag_label(tag) != AXO_MM_EXTERNAL_FAULT ||
            axo_tag_untyped(tag) != 4)
            return failed(i, tag);
        uint32_t cookie = u->mr[1], offset = u->mr[2], access = u->mr[3];
        uint32_t page = a[1] + offset;
        /* A page only goes on if this space has it: touch it first (mm pages it in, while it
         * waits for this very answer). */
        (void)*(volatile uint32_t*)page;
        u->mr[0] = axo_msg_tag(0, 0, 2);
        u->mr[1] = axo_map_item_word0(page, 0);
        u->mr[2] = axo_fpage(page, 12, a[3]);
        tag = axo_ipc_send(mm, AXO_TIMEOUT_ZERO);
        if (axo_tag_failed(tag)) return failed(0x100 + i, tag);
        r.value[0] = i + 1;
        r.value[1] = offset;
        r.value[2] = cookie;
        r.value[3] = access;
    }
    return r;
}

static report_t execute(uint32_t op, const uint32_t* a) {
    report_t r = {CLIENT_DONE, {0, 0, 0, 0}};
    switch (op) {
    case CLIENT_READ:
        r.value[0] = *(volatile uint32_t*)a[0];
        break;
    case CLIENT_WRITE:
        *(volatile uint32_t*)a[0] = a[1];
        break;
    case CLIENT_TOUCH:
        return touch(a);
    case CLIENT_CALL_PAGER:
        return call_pager(a);
    case CLIENT_SERVE:
        return serve(a);
    case CLIENT_UNMAP:
        axo_my_utcb()->mr[0] = a[0];
        r.value[0] = axo_unmap(a[1]);
        break;
    default:
        r.status = CLIENT_BAD_OP;
        break;
    }
    return r;
}

__attribute__((noreturn, used)) void client_main(void) {
    axo_thread_id_t controller = axo_kernel_interface()->root_task;
    report_t r = {CLIENT_STARTED, {0, 0, 0, 0}};
    for (;;) {
        axo_utcb_t* u = axo_my_utcb();
        u->br[0] = AXO_FPAGE_NIL;
        u->mr[0] = axo_msg_tag(CLIENT_LABEL_REPORT, CLIENT_REPORT_WORDS, 0);
        u->mr[1] = r.status;
        for (uint32_t i = 0; i < 4; ++i)
            u->mr[2 + i] = r.value[i];
        axo_msg_tag_t tag =
            axo_ipc_call(controller, axo_timeouts(AXO_TIMEOUT_NEVER, AXO_TIMEOUT_NEVER));
        if (axo_tag_failed(tag) || axo_tag_label(tag) != CLIENT_LABEL_COMMAND ||
            axo_tag_untyped(tag) < 1 + CLIENT_ARGS) {
            r = failed(0xBAD, tag);
            continue;
        }
        uint32_t args[CLIENT_ARGS];
        for (uint32_t i = 0; i < CLIENT_ARGS; ++i)
            args[i] = u->mr[2 + i];
        r = execute(u->mr[1], args);
    }
}
