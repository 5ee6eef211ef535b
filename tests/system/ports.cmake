# The ports (apps/ports/README.md) in the guest: ports-dash, ports-lua, ports-sqlite. proc starts
# mm and apps/ports/check/port_check at boot (on-exit=shutdown: its exit ends the run); the
# driver spawns the port — a boot module with start=spawn, no exec from the file system needed
# — with a program as its arguments, waits for it and prints TAP; ports_run.py then finds the
# port's whole output, line for line, as the same upstream version prints it on the host
# (apps/ports/check/*.expected). Included by tests/system/CMakeLists.txt.
include("${CMAKE_CURRENT_LIST_DIR}/../../cmake/axo_test.cmake")

set(_ports_check "${PROJECT_SOURCE_DIR}/apps/ports/check")

# ports_test(NAME <test> GROUP <driver group> PORT <module path in the target tree>
#            EXPECTED <file>... [TIMEOUT s])
function(ports_test)
    cmake_parse_arguments(PARSE_ARGV 0 T "" "NAME;GROUP;PORT;TIMEOUT" "EXPECTED")
    set(T_MODULES
        "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
        "${AXO_TARGET_DIR}/servers/proc/proc"
        "${AXO_TARGET_DIR}/servers/memory/mm/mm"
        "${AXO_TARGET_DIR}/${T_PORT} start=spawn"
        "${AXO_TARGET_DIR}/apps/ports/check/port_check ${T_GROUP} on-exit=shutdown")
    set(T_EXPECT "proc: port_check ended.*on-exit=shutdown: success")
    _axo_runner_args(args 120)
    foreach(file IN LISTS T_EXPECTED)
        list(APPEND args "--expected-output=${_ports_check}/${file}")
    endforeach()
    add_test(NAME ${T_NAME}
        COMMAND "${Python3_EXECUTABLE}" "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/ports_run.py" ${args})
    _axo_test_properties(system ${_AXO_QEMU_SLACK})
    set_property(TEST ${T_NAME} APPEND PROPERTY LABELS ports)
endfunction()

ports_test(NAME ports-dash GROUP dash PORT apps/ports/dash/bin/dash EXPECTED dash.expected)
ports_test(NAME ports-lua GROUP lua PORT apps/ports/lua/bin/lua EXPECTED lua.expected)
ports_test(NAME ports-sqlite GROUP sqlite PORT apps/ports/sqlite/bin/sqlite3
    EXPECTED sqlite.expected)
