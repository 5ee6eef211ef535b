/* axo_rt: the smallest user runtime, for freestanding programs that run straight on the
 * kernel ABI (kernel/uapi) before there is a pager, a libc or a thread library: σ0 and the
 * in-guest kernel tests. Everything a program uses must live in its ELF image (.data/.bss),
 * its initial stack, its UTCB and the KIP: any other access faults, and with a nil pager
 * the kernel halts the thread.
 *
 * Usable from C and C++. Nothing here allocates. */
#ifndef AXO_RT_H
#define AXO_RT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "axolotl/syscalls.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Start-up -----------------------------------------------------------------------------
 * crt0 records the registers the kernel started the program with (before it touches any of
 * them), clears .bss, runs .init_array, calls main() and parks the initial thread when main
 * returns: a program ends by axo_debug_shutdown (privileged) or by simply stopping to run. */
typedef struct rt_entry_state {
    uint32_t eax, ebx, ecx, edx, esi, edi, ebp, esp, eflags;
} rt_entry_state_t;
extern const rt_entry_state_t rt_entry_state;

/* Blocks the calling thread forever (a closed receive from itself, which no one can satisfy;
 * an open receive if the kernel refuses that). Threads whose function returns end here. */
__attribute__((noreturn)) void rt_park(void);

/* ---- Output -------------------------------------------------------------------------------
 * printf over axo_debug_write, with the conversions of kernel/lib/format.h (%s %c %d %i %u
 * %x %X %p %%, l/ll/z, '-' '0', width). Output up to 256 characters is one debug_write, so
 * lines printed by different threads do not interleave. Returns the length printed. */
size_t rt_printf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
size_t rt_vprintf(const char* fmt, va_list args);
/* Like snprintf. */
size_t rt_snprintf(char* buf, size_t size, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));
size_t rt_vsnprintf(char* buf, size_t size, const char* fmt, va_list args);

/* memcpy, memmove, memset, memcmp, strlen, strnlen, strcmp, strncmp: kernel/lib/string.cc. */
void* memcpy(void* __restrict dst, const void* __restrict src, size_t n);
void* memmove(void* dst, const void* src, size_t n);
void* memset(void* dst, int value, size_t n);
int memcmp(const void* a, const void* b, size_t n);
size_t strlen(const char* s);
size_t strnlen(const char* s, size_t max);
int strcmp(const char* a, const char* b);
int strncmp(const char* a, const char* b, size_t n);

/* ---- Environment --------------------------------------------------------------------------- */
static inline axo_thread_id_t rt_my_id(void) {
    return axo_my_utcb()->my_id;
}
/* The KIP: at AXO_KIP_ADDRESS in a large space, on the last page of its slot in a small one
 * (docs/kernel-api.md §14); rt_start asks the kernel where before anything else runs. */
extern const axo_kip_t* rt_kip_address;
static inline const axo_kip_t* rt_kip(void) {
    return rt_kip_address;
}
/* Microseconds since boot, from the KIP (advances once per kernel tick). */
static inline uint64_t rt_clock_us(void) {
    return axo_kip_clock_us(rt_kip());
}

/* ---- Threads --------------------------------------------------------------------------------
 * Threads of the caller's own address space; creating them needs the privilege of the root
 * task (thread_control). There is no memory allocator: the caller provides the stack, and
 * picks the UTCB location from RT_UTCB_AREA (the kernel maps the UTCB page itself). */
#define RT_UTCB_AREA 0xB0000000u
static inline uint32_t rt_utcb_slot(uint32_t index) {
    return RT_UTCB_AREA + index * AXO_UTCB_SIZE;
}

/* Creates `id` in the caller's space, inactive: scheduler = the caller, pager = nil.
 * Returns an axo_error. */
uint32_t rt_thread_create(axo_thread_id_t id, uint32_t utcb_address,
                          axo_thread_id_t exception_handler);
/* Starts a created thread: it calls fn(arg) on the stack ending at stack_top (16-byte
 * aligned down) and parks when fn returns. Returns an axo_error. */
uint32_t rt_thread_run(axo_thread_id_t id, void (*fn)(void*), void* arg, void* stack_top);
/* rt_thread_create + rt_thread_run. */
uint32_t rt_thread_start(axo_thread_id_t id, void (*fn)(void*), void* arg, void* stack_top,
                         uint32_t utcb_address, axo_thread_id_t exception_handler);
/* Deletes a thread (its id becomes stale forever). Returns an axo_error. */
uint32_t rt_thread_delete(axo_thread_id_t id);

/* A thread of a process (any program proc starts; no privilege needed): proc creates it in the
 * caller's space (interfaces/process/protocol.h, kProcThreadCreate) with the process's pager, and
 * it calls fn(arg) on the stack ending at stack_top, parking when fn returns. It ends with the
 * process. Its id in *id. Returns 0, or an ipc::Error code (lib/ipc/error.h): no_space when the
 * process has its most threads already. */
uint32_t rt_process_thread_start(void (*fn)(void*), void* arg, void* stack_top,
                                 axo_thread_id_t* id);

#ifdef __cplusplus
}
#endif

#endif /* AXO_RT_H */
