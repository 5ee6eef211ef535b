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

# fs-posix-ext2: the same program with the ATA driver and the root file system the build makes
# (build/target/image/rootfs.img, image/README.md) as its disk: / is ext2 on the disk, so every
# operation goes through ext2 and the block cache to the driver. QEMU's snapshot=on keeps the
# image as built (the writes go to a scratch overlay).
axo_qemu_test(NAME fs-posix-ext2
    MODULES "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
            "${AXO_TARGET_DIR}/servers/proc/proc"
            "${AXO_TARGET_DIR}/servers/memory/mm/mm"
            "${AXO_TARGET_DIR}/servers/drivers/ata/ata port=0x1f0-0x1f7 port=0x3f6 irq=14"
            "${AXO_TARGET_DIR}/servers/fs/fs"
            "${AXO_TARGET_DIR}/tests/guest/fs/fs_posix on-exit=shutdown"
    TIMEOUT 90
    LABELS fs
    QEMU_ARGS -drive file=${AXO_TARGET_DIR}/image/rootfs.img,format=raw,if=ide,index=0,snapshot=on
    EXPECT [[fs: / is ext2 on ata, /tmp is tmpfs .*serving]])

# fs-pipes: σ0, proc, mm, fs and tests/guest/fs/fs_pipes — pipes between forked processes
# (blocking reads, end of file at a writer's exit, EPIPE with SIGPIPE, O_NONBLOCK, PIPE_BUF
# atomicity between two writers, 64 KiB capacity, an abandoned read), the FIFO open rendezvous
# and devfs's devices, through interfaces/file/client.h.
axo_qemu_test(NAME fs-pipes
    MODULES "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
            "${AXO_TARGET_DIR}/servers/proc/proc"
            "${AXO_TARGET_DIR}/servers/memory/mm/mm"
            "${AXO_TARGET_DIR}/servers/fs/fs"
            "${AXO_TARGET_DIR}/tests/guest/fs/fs_pipes on-exit=shutdown"
    TIMEOUT 90
    LABELS fs
    EXPECT [[fs: / is tmpfs, /tmp is tmpfs .*serving]])

# fs-mmap: σ0, proc, mm, fs (tmpfs as /, tmpfs on /tmp) and tests/guest/fs/fs_mmap, a libposix
# program: mmap, munmap, mprotect, msync of anonymous memory (private, and shared with a fork's
# child) and of files (private copies and fs's shared objects), faults caught as SIGSEGV,
# pages beyond the end of a mapped file as SIGBUS, and POSIX's errors.
axo_qemu_test(NAME fs-mmap
    MODULES "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
            "${AXO_TARGET_DIR}/servers/proc/proc"
            "${AXO_TARGET_DIR}/servers/memory/mm/mm"
            "${AXO_TARGET_DIR}/servers/fs/fs"
            "${AXO_TARGET_DIR}/tests/guest/fs/fs_mmap on-exit=shutdown"
    TIMEOUT 90
    LABELS fs
    EXPECT [[proc: fs_mmap ended.*on-exit=shutdown: success]])

# fs-full: tests/system/fs_full_disk.py makes a fresh 4 MiB ext2 image (mke2fs, 1 KiB blocks)
# for each run, the ATA driver's disk and fs's root; tests/guest/fs/fs_full writes until ENOSPC
# (blocks, then inodes), checks that what was written before reads back, deletes, writes again
# and syncs; afterwards the host runs e2fsck -fn on the image and reads the kept files back with
# debugfs.
function(axo_fs_full_test)
    cmake_parse_arguments(PARSE_ARGV 0 T "${_AXO_TEST_OPTIONS}" "${_AXO_TEST_ONE}"
        "${_AXO_TEST_MULTI}")
    _axo_runner_args(args 60)
    add_test(NAME ${T_NAME}
        COMMAND "${Python3_EXECUTABLE}" "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/fs_full_disk.py"
                "--disk=${AXO_TEST_LOG_DIR}/${T_NAME}.img" ${args})
    _axo_test_properties(system ${_AXO_QEMU_SLACK})
endfunction()

axo_fs_full_test(NAME fs-full
    MODULES "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
            "${AXO_TARGET_DIR}/servers/proc/proc"
            "${AXO_TARGET_DIR}/servers/memory/mm/mm"
            "${AXO_TARGET_DIR}/servers/drivers/ata/ata port=0x1f0-0x1f7 port=0x3f6 irq=14"
            "${AXO_TARGET_DIR}/servers/fs/fs"
            "${AXO_TARGET_DIR}/tests/guest/fs/fs_full on-exit=shutdown"
    TIMEOUT 120
    LABELS fs
    EXPECT [[fs: / is ext2 on ata, /tmp is tmpfs .*serving]]
           [[proc: fs_full ended.*: success]])

# fs-mount: tests/system/fs_mount_disk.py makes an ext2 image with `mke2fs -d` from a staging
# tree (a text file, a 64 KiB file, a deep one) for each run: the secondary channel's master,
# served by a second instance of the ATA driver named "ata1", which fs names /dev/hdc. The root
# is a tmpfs; tests/guest/fs/fs_mount mounts and unmounts a tmpfs and that ext2 through libposix
# and watches fs's statistics; afterwards the host runs e2fsck -fn (clean, and the state "clean":
# the guest unmounted it) and reads the guest's files back with debugfs.
function(axo_fs_mount_test)
    cmake_parse_arguments(PARSE_ARGV 0 T "${_AXO_TEST_OPTIONS}" "${_AXO_TEST_ONE}"
        "${_AXO_TEST_MULTI}")
    _axo_runner_args(args 60)
    add_test(NAME ${T_NAME}
        COMMAND "${Python3_EXECUTABLE}" "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/fs_mount_disk.py"
                "--disk=${AXO_TEST_LOG_DIR}/${T_NAME}.img" ${args})
    _axo_test_properties(system ${_AXO_QEMU_SLACK})
endfunction()

axo_fs_mount_test(NAME fs-mount
    MODULES "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
            "${AXO_TARGET_DIR}/servers/proc/proc"
            "${AXO_TARGET_DIR}/servers/memory/mm/mm"
            "${AXO_TARGET_DIR}/servers/drivers/ata/ata name=ata1 port=0x170-0x177 port=0x376 irq=15"
            "${AXO_TARGET_DIR}/servers/fs/fs"
            "${AXO_TARGET_DIR}/tests/guest/fs/fs_mount on-exit=shutdown"
    TIMEOUT 90
    LABELS fs
    EXPECT [[fs: / is tmpfs, /tmp is tmpfs .*serving]]
           [[proc: fs_mount ended.*: success]])
