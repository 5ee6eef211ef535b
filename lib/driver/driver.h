// lib/driver: what a driver process needs from proc and the CPU (README.md). A driver is an
// ordinary process that holds only the ports, IRQ lines and device memory its boot line grants
// (docs/boot-configuration.md); proc hands them out (interfaces/devices/protocol.h):
//
//   driver::Grants grants;
//   driver::claim(grants);                       // what my line grants; I become the holder
//   driver::map_ports(0x2f8, 0x2ff);             // into my I/O bitmap (or map_granted_ports)
//   driver::attach_irq(3);                       // IRQ 3 arrives as a message to this thread
//   driver::map_device_memory(0xb8000, 15, kDeviceArea);         // 32 KiB of device memory
//   driver::allocate_dma(0, 14, kDeviceArea + 0x100000, physical); // 16 KiB, contiguous
//
// Interrupts arrive as kernel-protocol messages (label AXO_LABEL_INTERRUPT) from
// axo_irq_thread(line); a driver built on ipc::Dispatcher passes a KernelHandler that calls
// driver::interrupt_line() and returns driver::acknowledge(message): ipc::serve's reply then
// acknowledges the line (any message to the IRQ thread unmasks it). driver::Interrupts counts
// them per line for the driver's statistics call.
//
// Freestanding (lib/rt); target only.
#pragma once

#include <stdint.h>

#include "axolotl/syscalls.h"
#include "interfaces/devices/protocol.h"
#include "lib/ipc/dispatcher.h"
#include "lib/ipc/message.h"
#include "lib/loader/layout.h"
#include "lib/loader/loader.h"

namespace driver {

using Grants = proc::DeviceClaimReply;

// Where drivers put device memory and DMA blocks in their own space by convention: above
// the program image (linked at 4 MiB), below the stack. Any free, suitably aligned address
// works; this one is what the drivers here use. It lies inside the layout proc gives a server
// in a small space (lib/loader: Process::kSmallEnd), below its 8 MiB stack region
// (servers/proc/paging.h), so that mapping device memory does not promote a small driver.
constexpr uint32_t kDeviceArea = 0x01000000u;
constexpr uint32_t kDeviceAreaEnd = 0x01700000u;
static_assert(kDeviceAreaEnd <=
              loader::Process::kSmallEnd - loader::Process::kStackTopBelowEnd - (8u << 20));

// ---- Requests to proc -----------------------------------------------------------------------

// The caller's grants; it becomes their holder (busy: another process of its module holds
// them; no_permission: its module has none). A pci= device the pci driver has not reported
// yet (not_found) is waited for, up to kClaimWaitUs.
constexpr uint32_t kClaimWaitUs = 10000000;
ipc::Error claim(Grants& grants);
// Every port of [first, last] (inside a granted range), as the fewest aligned I/O fpages.
ipc::Error map_ports(uint32_t first, uint32_t last);
// Every granted port range.
ipc::Error map_granted_ports(const Grants& grants);
// The calling thread becomes the handler of IRQ `line`.
ipc::Error attach_irq(uint32_t line);
// 2^log2 bytes of granted device memory at `physical` (aligned), mapped at `where` (aligned).
ipc::Error map_device_memory(uint32_t physical, uint32_t log2, uint32_t where);
// DMA block `slot`: 2^log2 bytes, physically contiguous, mapped at `where` (aligned to its
// size); `physical` is its physical base for the device. The same block after a restart.
ipc::Error allocate_dma(uint32_t slot, uint32_t log2, uint32_t where, uint32_t& physical);
// proc's supervision state of module `name` (kProcDeviceStatus).
ipc::Error status(const char* name, proc::DeviceStatusReply& reply);
// Whether the process of `thread` may use this driver's device (kProcDeviceClient: the line's
// client= words; none: anyone): ok, no_permission, or not_found (no process's thread).
ipc::Error client_allowed(axo_thread_id_t thread);

// ---- Interrupts -----------------------------------------------------------------------------

// True if `message` is an interrupt from an IRQ line's thread; `line` is then its number.
bool interrupt_line(axo_thread_id_t from, const ipc::Message& message, uint32_t& line);
// Makes `message` the acknowledgement (an empty message) and returns Outcome::reply, for a
// KernelHandler under ipc::serve: the reply goes to the IRQ thread and unmasks the line.
ipc::Outcome acknowledge(ipc::Message& message);
// Acknowledges `line` outside ipc::serve (a zero-timeout send to its thread).
bool acknowledge_line(uint32_t line);

struct Interrupts {
    uint32_t per_line[AXO_IRQ_LINES] = {};
    uint32_t total = 0;
    void note(uint32_t line) {
        if (line < AXO_IRQ_LINES) ++per_line[line];
        ++total;
    }
};

// ipc::serve with a watchdog: while `busy(context)` says the device has work in flight, the wait
// for the next message is bounded by `poll_us`, and when it times out `poll(context)` runs. A
// lost or merged interrupt edge (the line is edge-triggered at the PIC) then costs a delay, not
// a stall. Idle, it waits without a timeout like ipc::serve.
template <class Context>
[[noreturn]] void serve(ipc::Dispatcher<Context>& dispatcher, Context& context,
                        bool (*busy)(Context&), void (*poll)(Context&), uint32_t poll_us) {
    ipc::Message message(axo_my_utcb()->mr);
    auto timeout = [&] { return busy(context) ? axo_timeout_us(poll_us) : AXO_TIMEOUT_NEVER; };
    axo_thread_id_t from = axo_ipc_receive(AXO_ANY_THREAD, timeout());
    for (;;) {
        if (message.failed()) {
            uint32_t error = axo_my_utcb()->error;
            if (!axo_ipc_error_in_receive(error))
                dispatcher.note_failed_reply();
            else if (axo_ipc_error_code(error) == AXO_IPC_TIMEOUT)
                poll(context);
            else
                dispatcher.note_failed_receive();
            from = axo_ipc_receive(AXO_ANY_THREAD, timeout());
            continue;
        }
        if (dispatcher.dispatch(from, message) == ipc::Outcome::reply)
            from = axo_ipc_reply_wait(from, timeout());
        else
            from = axo_ipc_receive(AXO_ANY_THREAD, timeout());
    }
}

// ---- The program ----------------------------------------------------------------------------

// argv as proc laid it out (argv[0] = the module name).
loader::StartArguments arguments();
// Ends the process through proc (kProcExit); never returns.
[[noreturn]] void exit(int32_t status);
// `argv` has the word `word`; or a `key=` word, whose value is returned (nullptr: none).
bool has_argument(const char* word);
const char* argument_value(const char* key);
// Decimal or 0x-hexadecimal; false if `text` is none.
bool parse_number(const char* text, uint32_t& out);

// ---- Port I/O -------------------------------------------------------------------------------
// A port the process was not given is a #GP: proc ends the process (kExitFaulted, 13).

inline uint8_t inb(uint16_t port) {
    uint8_t value;
    asm volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}
inline void outb(uint16_t port, uint8_t value) {
    asm volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}
inline uint16_t inw(uint16_t port) {
    uint16_t value;
    asm volatile("inw %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}
inline void outw(uint16_t port, uint16_t value) {
    asm volatile("outw %0, %1" : : "a"(value), "Nd"(port));
}
inline uint32_t inl(uint16_t port) {
    uint32_t value;
    asm volatile("inl %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}
inline void outl(uint16_t port, uint32_t value) {
    asm volatile("outl %0, %1" : : "a"(value), "Nd"(port));
}
// `count` 16-bit words from `port` to `buffer` (ATA PIO data).
inline void insw(uint16_t port, void* buffer, uint32_t count) {
    asm volatile("cld; rep insw" : "+D"(buffer), "+c"(count) : "d"(port) : "memory");
}
inline void outsw(uint16_t port, const void* buffer, uint32_t count) {
    asm volatile("cld; rep outsw" : "+S"(buffer), "+c"(count) : "d"(port) : "memory");
}

// ---- Start-up -------------------------------------------------------------------------------

// Prints "NAME: WHAT: ERROR" and ends the process with status 1: a start-up step failed.
[[noreturn]] void fail(const char* name, const char* what, ipc::Error error);
// fail(name, what, error) unless `error` is ok, e.g.
//   driver::check(name, "claiming the grants", driver::claim(grants));
inline void check(const char* name, const char* what, ipc::Error error) {
    if (error != ipc::Error::ok) fail(name, what, error);
}
// The first step of a driver: claims its grants (fail on an error: "NAME: claiming the grants:
// ERROR") and returns its module name (argv[0]), for the messages and the name service.
//   driver::Grants grants;
//   const char* name = driver::start(grants);
const char* start(Grants& grants);
// Registers `name` with proc's name service and, if the line has the word `console`, "console"
// too (fail on an error); returns whether it is the console.
bool register_names(const char* name);

// The KernelHandler of a driver whose every interrupt means the same: counted in
// `device.interrupts` (driver::Interrupts), handled by `device.interrupt()` (everything the
// device has pending), then acknowledged by ipc::serve's reply. Other kernel messages: dropped.
//   ipc::Dispatcher<Uart> dispatcher(uart, kRoutes, &driver::on_interrupt<Uart>);
template <class Device>
ipc::Outcome on_interrupt(Device& device, axo_thread_id_t from, ipc::Message& message) {
    uint32_t line = 0;
    if (!interrupt_line(from, message, line)) return ipc::Outcome::no_reply;
    device.interrupts.note(line);
    device.interrupt();
    return acknowledge(message);
}

// The dispatcher's request hook (ipc::Dispatcher::RequestHook) of a driver that defers
// requests: `device.cancel_requests_of(from)` drops what `from` left waiting.
//   ipc::Dispatcher<Uart> dispatcher(uart, kRoutes, &driver::on_interrupt<Uart>,
//                                    &driver::cancel_requests_of<Uart>);
template <class Device> void cancel_requests_of(Device& device, axo_thread_id_t from) {
    device.cancel_requests_of(from);
}

} // namespace driver
