// What the kernel learned while booting, handed from the architecture's entry code to the
// generic parts (self-tests now; the root task's start later).
#pragma once

#include "kernel/command_line.h"
#include "kernel/frame_allocator.h"
#include "kernel/multiboot.h"
#include "kernel/object_allocator.h"

namespace axo {

struct BootState {
    multiboot::BootInfo boot_info;
    CommandLine command_line;
    FrameAllocator frames;
    KernelHeap heap;
};

// The generic self-tests (frame allocator, kernel heap) on the live kernel.
void run_generic_selftests(BootState& boot);

} // namespace axo
