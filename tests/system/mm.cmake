# The memory manager's test (tests/guest/mm/README.md): boot module 0 is σ0, boot module 1 the
# test, which the kernel starts as the root task; boot module 2 is mm, which the test starts
# with lib/loader in a space of its own and pages itself. The test prints TAP and ends the run
# with debug_shutdown. Included by tests/system/CMakeLists.txt.
include("${CMAKE_CURRENT_LIST_DIR}/../../cmake/axo_test.cmake")

set(_axo_mm_modules
    "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
    "${AXO_TARGET_DIR}/tests/guest/mm/mm_test mm_test"
    "${AXO_TARGET_DIR}/servers/memory/mm/mm")

# QEMU with -icount: the fault costs the test prints are guest instructions, the same every run.
axo_qemu_test(NAME mm
    MODULES ${_axo_mm_modules}
    TIMEOUT 60
    ICOUNT
    EXPECT [[mm: up]])

# Bochs, with a Pentium CPU model: the same run on exact fault semantics.
axo_bochs_test(NAME bochs-mm
    MODULES ${_axo_mm_modules}
    TIMEOUT 300
    EXPECT [[mm: up]])
