# Third-party test suites run as they are in the system `./axo run` boots (DESIGN.md §7), each
# judged by tests/system/ports_suites.py against an expectations file that lists every known
# failure with its reason and only shrinks; the counts are printed. Label `ports-suites`
# (`ctest -L ports-suites`). Included by tests/system/CMakeLists.txt.
#
# busybox-testsuite: busybox's own testsuite/ and runtest (apps/ports/busybox/testsuite-README.md)
# on a copy of the root file system, run by dash (/bin/sh) at init's login shell.
include("${CMAKE_CURRENT_LIST_DIR}/../../cmake/axo_test.cmake")

set(_axo_suite_modules
    "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
    "${AXO_TARGET_DIR}/servers/proc/proc"
    "${AXO_TARGET_DIR}/servers/memory/mm/mm"
    "${AXO_TARGET_DIR}/servers/drivers/serial/serial name=com1 port=0x3f8-0x3ff irq=4"
    "${AXO_TARGET_DIR}/servers/tty/tty line=com1"
    "${AXO_TARGET_DIR}/servers/drivers/ata/ata port=0x1f0-0x1f7 port=0x3f6 irq=14"
    "${AXO_TARGET_DIR}/servers/fs/fs"
    "${AXO_TARGET_DIR}/apps/init/init")

# axo_suite_test(NAME <test> EXPECTATIONS <file> COMMAND <typed at the shell> [TIMEOUT s]
#                [SUITE_ARGS <ports_suites.py argument>...])
function(axo_suite_test)
    cmake_parse_arguments(PARSE_ARGV 0 S "" "NAME;EXPECTATIONS;COMMAND;TIMEOUT" "SUITE_ARGS")
    set(T_NAME ${S_NAME})
    set(T_TIMEOUT ${S_TIMEOUT})
    set(T_MODULES ${_axo_suite_modules})
    set(T_NO_TAP TRUE)
    set(T_NO_END_MARKER TRUE)
    _axo_runner_args(args 240)
    add_test(NAME ${S_NAME}
        COMMAND "${Python3_EXECUTABLE}" "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/ports_suites.py"
            "--suite=${S_NAME}" "--image=${AXO_TARGET_DIR}/image/rootfs.img"
            "--expectations=${S_EXPECTATIONS}" "--command=${S_COMMAND}" ${S_SUITE_ARGS} ${args})
    set(T_LABELS ports-suites)
    _axo_test_properties(system ${_AXO_QEMU_SLACK})
endfunction()

axo_suite_test(NAME busybox-testsuite
    EXPECTATIONS "${PROJECT_SOURCE_DIR}/apps/ports/busybox/testsuite-expectations.txt"
    COMMAND "cd /opt/busybox-testsuite/testsuite && ECHO=/bin/echo ./runtest </dev/null 2>&1"
    TIMEOUT 900
    SUITE_ARGS "--busybox-tree=${AXO_TARGET_DIR}/apps/ports/busybox/busybox-tree.txt")

# ports-selftests: Lua's and sqlite's cases (apps/ports/lua/selftest, apps/ports/sqlite/selftest:
# scripts of ours with what the same upstream version prints on the host), run by
# apps/ports/selftest.sh under dash. Neither source package ships a suite that runs without
# extra tools (README.md, "Self-tests").
axo_suite_test(NAME ports-selftests
    EXPECTATIONS "${PROJECT_SOURCE_DIR}/apps/ports/selftest-expectations.txt"
    COMMAND "sh /opt/selftests/selftest.sh /opt/selftests/lua /opt/selftests/sqlite </dev/null 2>&1"
    TIMEOUT 120
    SUITE_ARGS
        "--add=${PROJECT_SOURCE_DIR}/apps/ports/selftest.sh=/opt/selftests/selftest.sh"
        "--add=${PROJECT_SOURCE_DIR}/apps/ports/lua/selftest=/opt/selftests/lua"
        "--add=${PROJECT_SOURCE_DIR}/apps/ports/sqlite/selftest=/opt/selftests/sqlite")
