# The file-system server (servers/fs/README.md). Included by tests/system/CMakeLists.txt.
#
# fs-posix: σ0, proc, mm, fs (tmpfs as /, tmpfs on /tmp) and the test program
# tests/guest/fs/fs_posix, which proc starts at boot (on-exit=shutdown: its exit ends the run).
# It speaks interfaces/file/client.h to fs: every operation and error, an offset shared with a
# forked child, unlink while open, permissions of a non-root child in the sticky /tmp.
include("${CMAKE_CURRENT_LIST_DIR}/../../cmake/axo_test.cmake")

axo_qemu_test(NAME fs-posix
    MODULES "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
            "${AXO_TARGET_DIR}/servers/proc/proc"
            "${AXO_TARGET_DIR}/servers/memory/mm/mm"
            "${AXO_TARGET_DIR}/servers/fs/fs"
            "${AXO_TARGET_DIR}/tests/guest/fs/fs_posix on-exit=shutdown"
    TIMEOUT 60
    LABELS fs
    EXPECT [[fs: / is tmpfs, /tmp is tmpfs .*serving]])
