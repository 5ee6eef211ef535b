# ports-busybox: busybox's ash and applets on Axolotl (apps/ports/busybox/README.md,
# tests/guest/ports_busybox/busybox_driver.cc). proc starts mm, then the driver at boot
# (on-exit=shutdown); the driver spawns the busybox module (start=spawn) as `busybox ash -c
# SCRIPT` per case and reports exit statuses as TAP. What each case prints is checked here,
# exactly, between the driver's `--- NAME` and `--- end NAME` lines. The pipeline cases check
# their own output; fs (a tmpfs root: no disk here) serves their pipes. Included by
# tests/system/CMakeLists.txt.
include("${CMAKE_CURRENT_LIST_DIR}/../../cmake/axo_test.cmake")

# NAME, then what the case prints, its lines separated by \n (a regex: escape what needs it).
set(_axo_busybox_cases
    [[echo]] [[hello, busybox]]
    [[printf]] [[answer=42\|ff]]
    [[arithmetic]] [[42 1024 2]]
    [[variables]] [[axolotl 3 lo]]
    [[loops]] [[1 2 3 3]]
    [[functions]] [[f\(x\)\n3]]
    [[case]] [[starts]]
    [[test-builtin]] [[true]]
    [[exit-status]] ""
    [[expr]] [[14]]
    [[expr-match]] [[lotl]]
    [[seq]] [[3\n5\n7\n9]]
    [[basename]] [[busybox\nb]]
    [[dirname]] [[/usr/bin\n\.]]
    [[true-false]] [[both]]
    [[test-applet]] [[0\n1]]
    [[uname]] [[Axolotl]]
    [[printenv]] [[42]]
    [[ulimit]] [[8192\n64]]
    [[false-status]] "")
# Each as one regex: exactly those lines between the markers, where proc's own log lines (a
# child's exit) may come in between any two.
set(_axo_busybox_output)
set(_axo_proc_lines [[(?:proc: [^\n]*\n)*]])
list(LENGTH _axo_busybox_cases _axo_count)
math(EXPR _axo_last "${_axo_count} - 1")
foreach(i RANGE 0 ${_axo_last} 2)
    math(EXPR _axo_next "${i} + 1")
    list(GET _axo_busybox_cases ${i} _axo_name)
    list(GET _axo_busybox_cases ${_axo_next} _axo_text)
    if(_axo_text STREQUAL "")
        set(_axo_body "")
    else()
        string(REPLACE [[\n]] "\\n${_axo_proc_lines}" _axo_text "${_axo_text}")
        set(_axo_body "${_axo_text}\\n${_axo_proc_lines}")
    endif()
    list(APPEND _axo_busybox_output
        "^--- ${_axo_name}\\n${_axo_proc_lines}${_axo_body}--- end ${_axo_name}$")
endforeach()

axo_qemu_test(NAME ports-busybox
    MODULES
        "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
        "${AXO_TARGET_DIR}/servers/proc/proc"
        "${AXO_TARGET_DIR}/servers/memory/mm/mm"
        "${AXO_TARGET_DIR}/servers/fs/fs"
        "${AXO_TARGET_DIR}/tests/guest/ports_busybox/busybox_driver on-exit=shutdown"
        "${AXO_TARGET_DIR}/apps/ports/busybox/busybox start=spawn"
    TIMEOUT 120
    LABELS ports
    EXPECT ${_axo_busybox_output}
           [[proc: busybox_driver ended.*on-exit=shutdown: success]])
