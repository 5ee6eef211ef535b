# posix-suite: libposix in the guest (tests/guest/posix/README.md). proc starts mm (the pager of
# every process: fork needs it), fs (tmpfs as /, tmpfs on /tmp: the file calls) and the suite at
# boot with on-exit=shutdown; the suite prints TAP on the kernel console and its exit status ends
# the run. Included by tests/system/CMakeLists.txt.
include("${CMAKE_CURRENT_LIST_DIR}/../../cmake/axo_test.cmake")

axo_qemu_test(NAME posix-suite
    MODULES
        "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
        "${AXO_TARGET_DIR}/servers/proc/proc"
        "${AXO_TARGET_DIR}/servers/memory/mm/mm"
        "${AXO_TARGET_DIR}/servers/fs/fs"
        "${AXO_TARGET_DIR}/tests/guest/posix/posix_suite on-exit=shutdown"
    TIMEOUT 120
    EXPECT [[proc: posix_suite ended.*on-exit=shutdown: success]])
