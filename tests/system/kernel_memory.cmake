# The kernel memory test root task (tests/guest/kernel_memory/README.md): boot
# module 0 is σ0, boot module 1 the test, which the kernel starts as the privileged root
# task. The test prints TAP and ends the run with debug_shutdown. Included by
# tests/system/CMakeLists.txt.
include("${CMAKE_CURRENT_LIST_DIR}/../../cmake/axo_test.cmake")

set(_axo_kernel_memory_modules
    "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
    "${AXO_TARGET_DIR}/tests/guest/kernel_memory/kernel_memory kernel_memory")

# QEMU: a few seconds of guest time (the longest waits are faults nobody answers, 50 ms each,
# and the RTC's interrupts).
axo_qemu_test(NAME kernel-memory
    MODULES ${_axo_kernel_memory_modules}
    TIMEOUT 60
    EXPECT [[sigma0: up]])

# The same with small spaces forced on (QEMU ignores segment limits, so this is no isolation
# test): the mapping database and the chain tests in small spaces, which otherwise run only
# under Bochs.
axo_qemu_test(NAME kernel-memory-small-spaces
    CMDLINE "smallspaces=force"
    MODULES ${_axo_kernel_memory_modules}
    TIMEOUT 60
    EXPECT [[sigma0: up]] [[small spaces: FORCED ON]])

# Bochs, with a Pentium CPU model: the same tests on exact fault semantics (segment limits:
# user access to kernel memory is a #GP there) and a real RTC model. About 100 s alone, a
# third of it the trap-surface tests' 330,000 selector loads (each refused one an exception
# IPC round trip); the timeout leaves room for a loaded machine.
axo_bochs_test(NAME bochs-kernel-memory
    MODULES ${_axo_kernel_memory_modules}
    TIMEOUT 300
    EXPECT [[sigma0: up]])
