# fuzz-syscalls: the system-call fuzzer (tests/guest/fuzz/README.md). proc starts mm and the
# fuzzer at boot (on-exit=shutdown: its exit ends the run); the fuzzer spawns its canaries and
# attackers from its own module. Included by tests/system/CMakeLists.txt.
#
# Reproduce or vary a run: cmake -DAXO_FUZZ_SYSCALLS_SEED=N -DAXO_FUZZ_SYSCALLS_CALLS=N build
# (the fuzzer prints its seed and, on a failure, the call's number and registers), or boot the
# module line by hand (tests/README.md, "Running a runner by hand"). -DAXO_FUZZ_LONG=ON adds
# fuzz-syscalls-long: 10 M calls and 2000 attackers (label fuzz-long).
include("${CMAKE_CURRENT_LIST_DIR}/../../cmake/axo_test.cmake")

set(AXO_FUZZ_SYSCALLS_SEED 1 CACHE STRING "seed of the fuzz-syscalls test")
set(AXO_FUZZ_SYSCALLS_CALLS 1000000 CACHE STRING "system calls fuzz-syscalls makes on QEMU")
set(AXO_FUZZ_SYSCALLS_BOCHS_CALLS 100000 CACHE STRING "system calls bochs-fuzz-syscalls makes")
option(AXO_FUZZ_LONG "also register fuzz-syscalls-long (10 M calls)" OFF)

set(_axo_fuzz_program "${AXO_TARGET_DIR}/tests/guest/fuzz/fuzz_syscalls")
function(_axo_fuzz_modules out calls attacks)
    set(${out}
        "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
        "${AXO_TARGET_DIR}/servers/proc/proc"
        "${AXO_TARGET_DIR}/servers/memory/mm/mm"
        "${_axo_fuzz_program} on-exit=shutdown seed=${AXO_FUZZ_SYSCALLS_SEED} calls=${calls} attacks=${attacks}"
        PARENT_SCOPE)
endfunction()
set(_axo_fuzz_expect [[proc: fuzz_syscalls ended.*: success]])

_axo_fuzz_modules(_axo_fuzz_qemu_modules ${AXO_FUZZ_SYSCALLS_CALLS} 200)
axo_qemu_test(NAME fuzz-syscalls
    MODULES ${_axo_fuzz_qemu_modules}
    TIMEOUT 150
    LABELS fuzz-system
    EXPECT ${_axo_fuzz_expect})

_axo_fuzz_modules(_axo_fuzz_bochs_modules ${AXO_FUZZ_SYSCALLS_BOCHS_CALLS} 40)
axo_bochs_test(NAME bochs-fuzz-syscalls
    MODULES ${_axo_fuzz_bochs_modules}
    TIMEOUT 300
    LABELS fuzz-system
    EXPECT ${_axo_fuzz_expect})

if(AXO_FUZZ_LONG)
    _axo_fuzz_modules(_axo_fuzz_long_modules 10000000 2000)
    axo_qemu_test(NAME fuzz-syscalls-long
        MODULES ${_axo_fuzz_long_modules}
        TIMEOUT 1500
        LABELS fuzz-system fuzz-long
        EXPECT ${_axo_fuzz_expect})
endif()
