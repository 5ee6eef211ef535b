# ports-busybox: busybox's ash and applets on Axolotl (apps/ports/busybox/README.md,
# tests/guest/ports_busybox/busybox_driver.cc). proc starts mm, then the driver at boot
# (on-exit=shutdown); the driver spawns the busybox module (start=spawn) as `busybox sh -c
# SCRIPT` per case and reports exit statuses as TAP. What each case prints is checked here,
# exactly, between the driver's `--- NAME` and `--- end NAME` lines. The pipeline cases check
# their own output and are TODO until pipe() is in libposix. Included by
# tests/system/CMakeLists.txt.
include("${CMAKE_CURRENT_LIST_DIR}/../../cmake/axo_test.cmake")

set(_axo_busybox_output
    [[^--- echo\nhello, busybox\n--- end echo$]]
    [[^--- printf\nanswer=42\|ff\n--- end printf$]]
    [[^--- arithmetic\n42 1024 2\n--- end arithmetic$]]
    [[^--- variables\naxolotl 3 lo\n--- end variables$]]
    [[^--- loops\n1 2 3 3\n--- end loops$]]
    [[^--- functions\nf\(x\)\n3\n--- end functions$]]
    [[^--- case\nstarts\n--- end case$]]
    [[^--- test-builtin\ntrue\n--- end test-builtin$]]
    [[^--- exit-status\n--- end exit-status$]]
    [[^--- expr\n14\n--- end expr$]]
    [[^--- expr-match\nlotl\n--- end expr-match$]]
    [[^--- seq\n3\n5\n7\n9\n--- end seq$]]
    [[^--- basename\nbusybox\nb\n--- end basename$]]
    [[^--- dirname\n/usr/bin\n\.\n--- end dirname$]]
    [[^--- true-false\nboth\n--- end true-false$]]
    [[^--- test-applet\n0\n1\n--- end test-applet$]]
    [[^--- uname\nAxolotl\n--- end uname$]]
    [[^--- printenv\n42\n--- end printenv$]]
    [[^--- ulimit\n8192\n64\n--- end ulimit$]]
    [[^--- false-status\n--- end false-status$]])

axo_qemu_test(NAME ports-busybox
    MODULES
        "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
        "${AXO_TARGET_DIR}/servers/proc/proc"
        "${AXO_TARGET_DIR}/servers/memory/mm/mm"
        "${AXO_TARGET_DIR}/tests/guest/ports_busybox/busybox_driver on-exit=shutdown"
        "${AXO_TARGET_DIR}/apps/ports/busybox/busybox start=spawn"
    TIMEOUT 120
    LABELS ports
    EXPECT ${_axo_busybox_output}
           [[proc: busybox_driver ended.*on-exit=shutdown: success]])
