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

# Servers in small spaces (tests/guest/small_servers/README.md): proc starts the pci driver and
# fs small (servers/proc/README.md, "Small spaces"); the large test driver's calls to them write
# CR3 zero times, and a large program reading their slots is refused with #GP.
set(_axo_small_servers_dir "${AXO_TARGET_DIR}/tests/guest/small_servers")
set(_axo_small_servers_modules
    "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
    "${AXO_TARGET_DIR}/servers/proc/proc"
    "${AXO_TARGET_DIR}/servers/memory/mm/mm"
    "${AXO_TARGET_DIR}/servers/drivers/pci/pci port=0xcf8-0xcff on-exit=restart"
    "${AXO_TARGET_DIR}/servers/fs/fs")
axo_bochs_test(NAME bochs-small-servers
    MODULES ${_axo_small_servers_modules}
            "${_axo_small_servers_dir}/small_servers_test on-exit=shutdown"
            "${_axo_small_servers_dir}/small_reader start=spawn"
    TIMEOUT 240
    EXPECT
        [[small spaces: on \(segment limits enforced\)]]
        [[proc: pci runs in a small space: 32 MiB at c0000000]]
        [[proc: fs runs in a small space: 32 MiB at c2000000]]
        [[proc: small_servers_test ended.*: success]])

# The same on QEMU with small spaces forced on (no isolation: the readers are left out).
axo_qemu_test(NAME small-servers-forced
    CMDLINE "smallspaces=force"
    MODULES ${_axo_small_servers_modules}
            "${_axo_small_servers_dir}/small_servers_test on-exit=shutdown forced"
            "${_axo_small_servers_dir}/small_reader start=spawn"
    TIMEOUT 90
    EXPECT
        [[proc: pci runs in a small space: 32 MiB at c0000000]]
        [[proc: small_servers_test ended.*: success]])

# bench.py's `servers-default` group once under -icount (small spaces off, QEMU's default: every
# space large): its rows are all there.
set(_axo_servers_bench_expect [[proc: small_servers_test ended.*: success]])
foreach(server pci fs mm)
    list(APPEND _axo_servers_bench_expect
        "^BENCH cr3\\.per_call\\.${server}\\.default [0-9]+\\.[0-9][0-9] writes\\r?$"
        "^BENCH call\\.${server}\\.default [1-9][0-9]* instructions\\r?$")
endforeach()
axo_qemu_test(NAME bench-smoke-servers
    MODULES ${_axo_small_servers_modules}
            "${_axo_small_servers_dir}/small_servers_test on-exit=shutdown off"
    ICOUNT
    TIMEOUT 60
    EXPECT ${_axo_servers_bench_expect}
    LABELS bench)
