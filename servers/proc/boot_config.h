// The boot configuration: which boot modules proc starts, under which names, with which
// arguments, and which I/O ports, IRQ lines and device memory each may have. It is read from
// the boot modules' command lines in the KIP (kernel/uapi/axolotl/kip.h):
//
//   module 0   σ0 (the kernel starts it)
//   module 1   proc itself (the kernel starts it); its words are proc's own arguments
//   module 2.. servers and programs for proc to start
//
// A command line is words separated by spaces. The first is the image's path (the boot loader
// puts it there): its last component is the module's name unless name= says otherwise. Then,
// in any order and repeatable where it makes sense:
//
//   name=NAME          1..31 printable characters: the module's name
//   port=FIRST-LAST    I/O ports FIRST..LAST inclusive (or port=N for one), below 0x10000
//   irq=N              IRQ line N, 1..15 except 2 (0 is the kernel's timer, 2 the cascade)
//   mem=FIRST-LAST     physical memory FIRST..LAST inclusive, whole pages: FIRST and LAST+1
//                      page-aligned (device memory, e.g. mem=0xb8000-0xbffff)
//   pci=VVVV:DDDD[.N]  the BARs and IRQ line of the N-th (from 0; default 0) PCI device with
//                      that vendor and device id (four hexadecimal digits each, as lspci shows
//                      them), once the pci driver reported it
//   client=NAME        the module whose boot instance (the process proc started for its line,
//                      or a restarted one) may use this driver's device — a disk given to fs:
//                      client=fs; the driver asks proc (kProcDeviceClient) and refuses anyone
//                      else. Up to kMaxClients; none: any process may
//   start=boot|spawn   boot (the default): proc starts it at boot; spawn: only when a
//                      process asks (kProcSpawn) — an image, not a server
//   on-exit=shutdown   when the process proc started at boot ends, proc ends the run
//                      (axo_debug_shutdown: success if it exited with status 0) — what a test
//                      program that drives the system uses; the default is to do nothing
//   on-exit=restart    proc starts it again whenever it ends (drivers; device_table.h)
//   anything else      an argument for the program, passed on in order
//
// Numbers are decimal or 0x-hexadecimal. A malformed word, a grant out of range, too many
// grants, or a grant that another module already holds (two modules may not share a port,
// an IRQ line or a page; nor a name) rejects the whole module, with a message saying why; the
// other modules are unaffected. Pure logic, tested on the host
// (tests/unit/proc_boot_config_test.cc); docs in servers/proc/README.md.
#pragma once

#include <stdint.h>

#include "axolotl/kip.h"

namespace proc {

constexpr uint32_t kMaxPortRanges = 8;
constexpr uint32_t kMaxIrqs = 4;
constexpr uint32_t kMaxMemoryRanges = 4;
constexpr uint32_t kMaxPciDevices = 2;
constexpr uint32_t kMaxClients = 2;
constexpr uint32_t kModuleNameBytes = 32;
constexpr uint32_t kCmdlineBytes = sizeof(axo_kip_module_t{}.cmdline);

struct PortRange {
    uint32_t first, last; // inclusive, <= 0xFFFF
};
struct MemoryRange {
    uint32_t first, last; // inclusive; first and last + 1 page-aligned
};
struct PciId {
    uint16_t vendor, device;
    uint16_t index; // the N of pci=VVVV:DDDD.N: which of the devices with these ids
};

enum class StartPolicy : uint8_t {
    boot = 0, // proc starts it at boot
    spawn,    // only by kProcSpawn
};
enum class ExitPolicy : uint8_t {
    nothing = 0, // the parent's wait learns of it; nothing else happens
    shutdown,    // end the run (a test driver)
    restart,     // start it again (a driver; servers/proc/device_table.h)
};

// space=small or space=large: how proc makes the module's processes' spaces where small
// spaces are on (servers/proc/small_spaces.h). Without the word: small for a server.
enum class SpacePolicy : uint8_t {
    automatic = 0,
    small,
    large,
};

struct ModuleConfig {
    uint32_t index;       // in the KIP's modules[]
    uint32_t start, size; // physical, from the KIP
    char name[kModuleNameBytes];
    // The program's arguments, each NUL-terminated, one after the other; argument_count of
    // them. Fits, since they come from a command line of kCmdlineBytes.
    char arguments[kCmdlineBytes];
    uint32_t argument_count;
    PortRange ports[kMaxPortRanges];
    uint32_t port_count;
    uint8_t irqs[kMaxIrqs];
    uint32_t irq_count;
    MemoryRange memory[kMaxMemoryRanges];
    uint32_t memory_count;
    // pci=VVVV:DDDD[.N]: the BARs and IRQ line of that PCI device, as the pci driver reports
    // them to proc (servers/proc/device_table.h).
    PciId pci[kMaxPciDevices];
    uint32_t pci_count;
    // client=NAME: the modules whose boot instances may use the device (none: anyone).
    char clients[kMaxClients][kModuleNameBytes];
    uint32_t client_count;
    StartPolicy startup;
    ExitPolicy on_exit;
    // role=init: the system's init — it is process 1 (busybox's poweroff and reboot signal
    // pid 1), the only one of a boot configuration.
    bool init;
    SpacePolicy space;

    bool has_argument(const char* word) const;
    // The i-th argument, i < argument_count.
    const char* argument(uint32_t i) const;
};

// Why a command line was rejected.
// Whether proc lays the processes of `module` out for a small space and makes their spaces small
// (small_spaces.h): `space=small` or `space=large` says; without it, a server does — a module
// with device grants (a driver), one proc restarts (on-exit=restart), or the one named `fs`.
// Never mm: the frames it manages are mapped at 1 GiB of its space (servers/memory/mm).
bool wants_small_space(const ModuleConfig& module);

struct ConfigError {
    char message[96];
};

// Parses one command line (a NUL-terminated string of at most kCmdlineBytes - 1 bytes; a line
// that fills the field is taken as cut off by the kernel and rejected). false: `error` says
// why, and `out` must not be used.
bool parse_module(const char* cmdline, ModuleConfig& out, ConfigError& error);

// True if the two modules claim a common port, IRQ line, page or name; `error` says which.
bool conflicts(const ModuleConfig& a, const ModuleConfig& b, ConfigError& error);

struct BootConfig {
    ModuleConfig self; // module 1: proc's own arguments (grants on it mean nothing)
    bool self_valid;
    ModuleConfig modules[AXO_KIP_MAX_MODULES]; // accepted modules 2.., in boot order
    uint32_t module_count;
    uint32_t rejected_count;

    const ModuleConfig* find(const char* name) const;
};

// Called once per rejected module.
using RejectReport = void (*)(void* context, uint32_t index, const char* cmdline,
                              const char* message);

// Reads the configuration from the KIP's module list (count clamped to AXO_KIP_MAX_MODULES).
void parse_boot_config(const axo_kip_module_t* modules, uint32_t count, BootConfig& out,
                       RejectReport report, void* report_context);

} // namespace proc
