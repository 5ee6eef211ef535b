# proc, the root task, testing itself (servers/proc/README.md): boot module 0 is σ0, module 1
# proc with the argument `selftest`, which makes it run client threads against its own name
# service and print TAP. Modules 2..5 are small files (servers/proc/CMakeLists.txt) that proc
# never starts (spawning needs map items and mm): they are there for the boot configuration,
# named by their file names: demo and vga are well-formed, bad and twin must be rejected (an
# IRQ line out of range; an IRQ line demo holds already).
# Included by tests/system/CMakeLists.txt.
include("${CMAKE_CURRENT_LIST_DIR}/../../cmake/axo_test.cmake")

set(_axo_proc_test_modules "${AXO_TARGET_DIR}/servers/proc/test-modules")
set(_axo_proc_modules
    "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
    "${AXO_TARGET_DIR}/servers/proc/proc selftest"
    "${_axo_proc_test_modules}/demo port=0x3f8-0x3ff irq=4 verbose"
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
