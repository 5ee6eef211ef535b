# Programs run from the file system (tests/guest/exec/README.md). Included by
# tests/system/CMakeLists.txt.
include("${CMAKE_CURRENT_LIST_DIR}/../../cmake/axo_test.cmake")

# exec-ext2: σ0, proc, mm, the ATA driver, fs on the root file system the build makes (QEMU's
# snapshot=on keeps the image as built), and exec_test, which proc starts at boot
# (on-exit=shutdown): it execs /bin/exec_echo from the disk, scripts and copies in /tmp.
axo_qemu_test(NAME exec-ext2
    MODULES "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
            "${AXO_TARGET_DIR}/servers/proc/proc"
            "${AXO_TARGET_DIR}/servers/memory/mm/mm"
            "${AXO_TARGET_DIR}/servers/drivers/ata/ata port=0x1f0-0x1f7 port=0x3f6 irq=14"
            "${AXO_TARGET_DIR}/servers/fs/fs"
            "${AXO_TARGET_DIR}/tests/guest/exec/exec_test on-exit=shutdown"
    TIMEOUT 120
    LABELS fs
    QEMU_ARGS -drive file=${AXO_TARGET_DIR}/image/rootfs.img,format=raw,if=ide,index=0,snapshot=on
    EXPECT [[exec_echo: argv\[3\]=two words]] [[exec_echo: EXEC_TEST=hello]]
           [[proc: exec_test ended.*on-exit=shutdown: success]])
