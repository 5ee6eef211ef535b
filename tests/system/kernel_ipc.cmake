# The kernel test root task (tests/guest/kernel_ipc/README.md): boot module 0 is σ0,
# boot module 1 the test, which the kernel starts as the privileged root task. The test prints
# TAP and ends the run with debug_shutdown. Included by tests/system/CMakeLists.txt.
include("${CMAKE_CURRENT_LIST_DIR}/../../cmake/axo_test.cmake")

set(_axo_kernel_ipc_modules
    "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
    "${AXO_TARGET_DIR}/tests/guest/kernel_ipc/kernel_ipc kernel_ipc")

# QEMU: about 1 s of guest time (the longest waits are the scheduling tests' time slices).
# Under -icount the guest's clock is its instruction count: the preemption tests' 1 ms ticker
# measures the kernel, not a host that happens to be busy.
axo_qemu_test(NAME kernel-ipc
    ICOUNT
    MODULES ${_axo_kernel_ipc_modules}
    TIMEOUT 60
    EXPECT [[sigma0: up]])

# Bochs, with a Pentium CPU model: the same tests on exact fault and segment semantics.
axo_bochs_test(NAME bochs-kernel-ipc
    MODULES ${_axo_kernel_ipc_modules}
    TIMEOUT 120
    EXPECT [[sigma0: up]])
