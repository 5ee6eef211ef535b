# fs-persistence (fs_persistence.py): the default system's servers and init (process 1) on a
# writable copy of the root image the build makes: a sqlite database and a file written at the
# shell survive `poweroff` (e2fsck -fn and dumpe2fs on the host find the disk clean, debugfs
# reads the file) and a second boot reads them; a disk marked not clean is mounted read-only.
# Three boots of at most 150 s each. Included by tests/system/CMakeLists.txt.
include("${CMAKE_CURRENT_LIST_DIR}/../../cmake/axo_test.cmake")

function(_axo_fs_persistence_test)
    set(T_NAME fs-persistence)
    set(T_NO_TAP TRUE)
    set(T_NO_END_MARKER TRUE)
    set(T_MODULES
        "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
        "${AXO_TARGET_DIR}/servers/proc/proc"
        "${AXO_TARGET_DIR}/servers/memory/mm/mm"
        "${AXO_TARGET_DIR}/servers/drivers/serial/serial name=com1 port=0x3f8-0x3ff irq=4"
        "${AXO_TARGET_DIR}/servers/tty/tty line=com1"
        "${AXO_TARGET_DIR}/servers/drivers/ata/ata port=0x1f0-0x1f7 port=0x3f6 irq=14"
        "${AXO_TARGET_DIR}/servers/fs/fs"
        "${AXO_TARGET_DIR}/apps/init/init role=init")
    _axo_runner_args(args 150) # each boot's timeout
    add_test(NAME fs-persistence
        COMMAND "${Python3_EXECUTABLE}" "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/fs_persistence.py"
            "--image=${AXO_TARGET_DIR}/image/rootfs.img" ${args})
    set(T_TIMEOUT 460) # the three boots and the host's checks
    _axo_test_properties(system ${_AXO_QEMU_SLACK})
endfunction()
_axo_fs_persistence_test()
