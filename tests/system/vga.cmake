# vga-shell: the system `./axo run` boots (image/boot.conf's servers, the VGA console driver and
# the tty's second terminal on it, init) with the root file system the build makes as its disk;
# vga_shell.py types on the PS/2 keyboard and reads the VGA text screen through QEMU's monitor
# while it uses the serial console too: a command's output, tty, ^C ending a job on the VGA
# terminal while the serial shell works, clear, vi, and init restarting the VGA shell after
# exit. The run ends when the last command's output arrived (snapshot=on keeps the image as
# built). Needs axo_terminal_test (tty.cmake). Included by tests/system/CMakeLists.txt.
include("${CMAKE_CURRENT_LIST_DIR}/../../cmake/axo_test.cmake")

axo_terminal_test(NAME vga-shell SCRIPT vga_shell.py
    MODULES
        "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
        "${AXO_TARGET_DIR}/servers/proc/proc"
        "${AXO_TARGET_DIR}/servers/memory/mm/mm"
        "${AXO_TARGET_DIR}/servers/drivers/serial/serial name=com1 port=0x3f8-0x3ff irq=4 on-exit=restart"
        "${AXO_TARGET_DIR}/servers/tty/tty line=com1 tty1=vga on-exit=restart"
        "${AXO_TARGET_DIR}/servers/drivers/ata/ata port=0x1f0-0x1f7 port=0x3f6 irq=14 on-exit=restart"
        "${AXO_TARGET_DIR}/servers/drivers/console/vga_console name=vga port=96 port=100 port=980-981 irq=1 mem=753664-757759 on-exit=restart"
        "${AXO_TARGET_DIR}/servers/fs/fs"
        "${AXO_TARGET_DIR}/apps/init/init role=init"
    TIMEOUT 240
    QEMU_ARGS -drive file=${AXO_TARGET_DIR}/image/rootfs.img,format=raw,if=ide,index=0,snapshot=on
    NO_TAP
    NO_END_MARKER
    EXPECT [[tty: tty1 on vga, serving]]
           [[vga-42-done]])
