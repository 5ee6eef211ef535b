// Boot-module contents: proc maps each configured module into its own space (read-only,
// through σ0: lib/loader's map_boot_module) and checks that it is a program it could start
// (kernel/elf.h). processes.cc starts programs from these images (lib/loader's spawn).
//
// Module pages appear at kModuleWindow + their physical address, so every module is one
// contiguous, read-only range in proc's space and no two overlap.
#pragma once

#include <stdint.h>

#include "kernel/elf.h"
#include "lib/loader/loader.h"
#include "servers/proc/boot_config.h"

namespace proc {

constexpr uint32_t kModuleWindow = 0x40000000u;
constexpr uint32_t kModuleWindowSize = 0x40000000u; // modules below 1 GiB physical
// A program's segments must end below the stack lib/loader gives a new process.
constexpr uint32_t kProgramLimit =
    loader::Process::kStackTop - loader::Process::kStackPages * 4096u;

struct ModuleImage {
    const uint8_t* data; // in proc's space, read-only; nullptr if not mapped
    uint32_t size;
    axo::elf::Image elf;
    bool program;    // a valid static i386 ELF executable
    const char* why; // if not: why (static text)
};

// Maps `module` and checks its contents.
ModuleImage map_module(const ModuleConfig& module);

} // namespace proc
