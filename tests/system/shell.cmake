# shell-session: the system `./axo run` boots (image/boot.conf's servers and their on-exit
# policies, the pci driver, init) with the root file system the build makes as its disk;
# shell_session.py types at the login shell on COM1 (the tty) and checks what the screen shows:
# pipelines, redirections, a here-document, a script, lua, sqlite3, gzip, a tar | gzip round
# trip, free, uptime, mount, time, svc (and a restart of the pci driver), ^C, ^Z, jobs, bg,
# fg. The run ends when the last command's output arrived (QEMU's snapshot=on keeps the image as
# built). Needs axo_terminal_test (tty.cmake). Included by tests/system/CMakeLists.txt.
include("${CMAKE_CURRENT_LIST_DIR}/../../cmake/axo_test.cmake")

axo_terminal_test(NAME shell-session SCRIPT shell_session.py
    MODULES
        "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
        "${AXO_TARGET_DIR}/servers/proc/proc"
        "${AXO_TARGET_DIR}/servers/memory/mm/mm"
        "${AXO_TARGET_DIR}/servers/drivers/serial/serial name=com1 port=0x3f8-0x3ff irq=4 on-exit=restart"
        "${AXO_TARGET_DIR}/servers/tty/tty line=com1 on-exit=restart"
        "${AXO_TARGET_DIR}/servers/drivers/pci/pci port=0xcf8-0xcff on-exit=restart"
        "${AXO_TARGET_DIR}/servers/drivers/ata/ata port=0x1f0-0x1f7 port=0x3f6 irq=14 on-exit=restart"
        "${AXO_TARGET_DIR}/servers/fs/fs"
        "${AXO_TARGET_DIR}/apps/init/init role=init"
    TIMEOUT 240
    QEMU_ARGS -drive file=${AXO_TARGET_DIR}/image/rootfs.img,format=raw,if=ide,index=0,snapshot=on
    NO_TAP
    NO_END_MARKER
    EXPECT [[session-42-done]])
