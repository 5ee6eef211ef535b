# tty-line-discipline: the terminal server (servers/tty) on COM1 as the console, typed at by the
# host. proc starts mm, the serial driver for COM1 (without `console`: the tty registers it),
# the tty, and tests/guest/tty/tty_test with on-exit=shutdown; tty_line_discipline.py serves
# COM1 on a socket (qemu_run.py --com1-socket), waits for each `# ready:` line, types keys
# and checks the echo; the guest checks what it read, its signals and its job control (TAP).
# Included by tests/system/CMakeLists.txt.
include("${CMAKE_CURRENT_LIST_DIR}/../../cmake/axo_test.cmake")

function(axo_terminal_test)
    cmake_parse_arguments(PARSE_ARGV 0 T "${_AXO_TEST_OPTIONS}" "${_AXO_TEST_ONE};SCRIPT"
        "${_AXO_TEST_MULTI};QEMU_ARGS")
    _axo_runner_args(args 60)
    foreach(arg IN LISTS T_QEMU_ARGS)
        list(APPEND args "--extra-qemu-arg=${arg}")
    endforeach()
    add_test(NAME ${T_NAME}
        COMMAND "${Python3_EXECUTABLE}" "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/${T_SCRIPT}" ${args})
    _axo_test_properties(system ${_AXO_QEMU_SLACK})
endfunction()

axo_terminal_test(NAME tty-line-discipline SCRIPT tty_line_discipline.py
    MODULES
        "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
        "${AXO_TARGET_DIR}/servers/proc/proc"
        "${AXO_TARGET_DIR}/servers/memory/mm/mm"
        "${AXO_TARGET_DIR}/servers/drivers/serial/serial name=com1 port=0x3f8-0x3ff irq=4"
        "${AXO_TARGET_DIR}/servers/tty/tty"
        "${AXO_TARGET_DIR}/tests/guest/tty/tty_test on-exit=shutdown"
    TIMEOUT 90
    EXPECT [[tty: the console on com1, serving]]
           [[proc: tty_test ended.*on-exit=shutdown: success]])
