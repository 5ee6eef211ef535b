# proc, the root task (servers/proc/README.md). Included by tests/system/CMakeLists.txt.
#
# proc-names: boot module 0 is σ0, module 1 proc with the argument `selftest`, which makes it
# run client threads against its own name service and print TAP. Modules 2..5 are small files
# (servers/proc/CMakeLists.txt) that proc does not start (demo says start=spawn, vga is no
# program, bad and twin are rejected): they are there for the boot configuration, named by
# their file names: demo and vga are well-formed, bad and twin must be rejected (an IRQ line
# out of range; an IRQ line demo holds already).
include("${CMAKE_CURRENT_LIST_DIR}/../../cmake/axo_test.cmake")

set(_axo_proc_test_modules "${AXO_TARGET_DIR}/servers/proc/test-modules")
set(_axo_proc_modules
    "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
    "${AXO_TARGET_DIR}/servers/proc/proc selftest"
    "${_axo_proc_test_modules}/demo port=0x3f8-0x3ff irq=4 start=spawn verbose"
    "${_axo_proc_test_modules}/vga mem=0xb8000-0xbffff"
    "${_axo_proc_test_modules}/bad irq=99"
    "${_axo_proc_test_modules}/twin irq=4")

axo_qemu_test(NAME proc-names
    MODULES ${_axo_proc_modules}
    TIMEOUT 60
    EXPECT [[proc: up]] [[proc: module 4 rejected: "irq=99"]] [[proc: module 5 rejected: IRQ 4]])

# Bochs, with a Pentium CPU model (GRUB ISO): the same run on exact fault and segment semantics.
axo_bochs_test(NAME bochs-proc-names
    MODULES ${_axo_proc_modules}
    TIMEOUT 180
    EXPECT [[proc: up]] [[proc: module 4 rejected: "irq=99"]] [[proc: module 5 rejected: IRQ 4]])

# userland-core: processes (tests/guest/userland_core/README.md). proc starts mm first (the
# module named mm: the pager of every process, docs/boot-configuration.md), then the driver
# userland_core at boot (on-exit=shutdown: its exit ends the run) with the number of crash
# cycles of its reclaim test; the other modules are the programs it spawns (start=spawn), among
# them worker (threads, fork, quotas, the pager stack), hello (apps/hello, a newlib program: its
# output is checked below), three malformed ELF files made from exit42 at build time (spawn must
# refuse them; proc's boot check says why, checked below), and notes, a text file, a module
# that is no program, and rpager (worker again: a test pager proc restarts, on-exit=restart): 19
# modules (the kernel takes 24: kernel/uapi/axolotl/kip.h).
set(_axo_userland_dir "${AXO_TARGET_DIR}/tests/guest/userland_core")
set(_axo_userland_modules
    "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
    "${AXO_TARGET_DIR}/servers/proc/proc"
    "${AXO_TARGET_DIR}/servers/memory/mm/mm"
    "${_axo_userland_dir}/userland_core on-exit=shutdown 1000"
    "${_axo_userland_dir}/exit42 start=spawn"
    "${_axo_userland_dir}/crash_null start=spawn"
    "${_axo_userland_dir}/crash_ud start=spawn"
    "${_axo_userland_dir}/crash start=spawn"
    "${_axo_userland_dir}/spinner start=spawn"
    "${_axo_userland_dir}/parent start=spawn"
    "${_axo_userland_dir}/meddler start=spawn"
    "${_axo_userland_dir}/refault start=spawn"
    "${_axo_userland_dir}/worker start=spawn"
    "${_axo_userland_dir}/rpager on-exit=restart restartable-pager uc.rpager"
    "${_axo_userland_dir}/elf_truncated start=spawn"
    "${_axo_userland_dir}/elf_overlap start=spawn"
    "${_axo_userland_dir}/elf_huge start=spawn"
    "${AXO_TARGET_DIR}/apps/hello/hello start=spawn"
    "${_axo_proc_test_modules}/vga name=notes start=spawn")

# What proc says of the malformed modules when it checks them at boot (kernel/elf.cc).
set(_axo_userland_expect
    [[proc: module [0-9]+ "elf_truncated": not a program proc can start: program headers outside the file]]
    [[proc: module [0-9]+ "elf_overlap": not a program proc can start: segments overlap]]
    [[proc: module [0-9]+ "elf_huge": not a program proc can start: segment (wraps the address space|above user space)]])

# About 2 s on QEMU, of which 0.3 s are the 1000 crash cycles.
axo_qemu_test(NAME userland-core
    MODULES ${_axo_userland_modules}
    TIMEOUT 120
    EXPECT [[proc: started module 2 "mm".*the pager of every process]] [[proc: started module 3 "userland_core"]] [[hello, world]]
           [[hello: 125221 bytes in 7 blocks from the heap, freed \(42\)]]
           ${_axo_userland_expect}
           [[proc: userland_core ended.*: success]])

# Bochs, with a Pentium CPU model (GRUB ISO): the same run on exact fault and segment
# semantics; about 8 s (the 1000 crash cycles: 2 s of guest time).
axo_bochs_test(NAME bochs-userland-core
    MODULES ${_axo_userland_modules}
    MEGS 128 # the kernel's pool (an eighth) holds 256 processes
    TIMEOUT 300
    EXPECT [[proc: started module 2 "mm".*the pager of every process]] [[proc: started module 3 "userland_core"]] [[hello, world]]
           [[hello: 125221 bytes in 7 blocks from the heap, freed \(42\)]]
           ${_axo_userland_expect}
           [[proc: userland_core ended.*: success]])

# The same driver without mm: proc pages every process itself (its fallback, servers/proc/README.md
# "Memory"); the driver skips what needs mm (quotas, threads, fork, the pager stack) and runs
# everything else, the 1000 crash cycles included. QEMU only.
set(_axo_userland_modules_without_mm ${_axo_userland_modules})
list(REMOVE_ITEM _axo_userland_modules_without_mm "${AXO_TARGET_DIR}/servers/memory/mm/mm"
    "${_axo_userland_dir}/rpager on-exit=restart restartable-pager uc.rpager")
axo_qemu_test(NAME userland-core-without-mm
    MODULES ${_axo_userland_modules_without_mm}
    TIMEOUT 120
    EXPECT [[proc: no module named mm: proc pages every process itself]]
           [[proc: started module 2 "userland_core"]] [[hello, world]]
           [[hello: 125221 bytes in 7 blocks from the heap, freed \(42\)]]
           ${_axo_userland_expect}
           [[proc: userland_core ended.*: success]])
