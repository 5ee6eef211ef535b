# The small-space tests (tests/guest/small_spaces/README.md): boot module 0 is σ0,
# boot module 1 the test root task. Its argument says what the kernel's boot-time probe of
# segment-limit enforcement must have decided; the EXPECT regexes check the boot log says so.
# Included by tests/system/CMakeLists.txt.
include("${CMAKE_CURRENT_LIST_DIR}/../../cmake/axo_test.cmake")

set(_axo_small_spaces_sigma0 "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0")
set(_axo_small_spaces_test "${AXO_TARGET_DIR}/tests/guest/small_spaces/small_spaces small_spaces")

# QEMU's TCG ignores data-segment limits: the probe must find that and leave small spaces off.
axo_qemu_test(NAME smallspaces-probe
    MODULES ${_axo_small_spaces_sigma0} "${_axo_small_spaces_test} expect=off"
    TIMEOUT 60
    EXPECT
        [[small spaces: off \(segment limits not enforced by this CPU\)]]
        [[sigma0: up]])

# Forced on anyway (for benchmarks): no isolation, but switching without CR3 writes works.
axo_qemu_test(NAME smallspaces-probe-force
    CMDLINE "smallspaces=force"
    MODULES ${_axo_small_spaces_sigma0} "${_axo_small_spaces_test} expect=forced"
    TIMEOUT 60
    EXPECT
        [[small spaces: FORCED ON: isolation not enforced]]
        [[sigma0: up]])

# Bochs with a Pentium CPU model enforces limits like the hardware: every test, isolation too.
axo_bochs_test(NAME bochs-smallspaces
    MODULES ${_axo_small_spaces_sigma0} "${_axo_small_spaces_test} expect=on"
    TIMEOUT 120
    EXPECT
        [[small spaces: on \(segment limits enforced\)]]
        [[sigma0: up]])
