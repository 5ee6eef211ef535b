# system-default: the default system, exactly as `./axo run` boots it — the modules of
# image/boot.conf, the one place that configuration lives — with the devices its drivers drive
# (an IDE disk that reads zeros, an e1000 on QEMU's user network restricted to the guest).
# Every server starts and says it serves, and hello's greeting arrives through the tty and the serial driver on COM1.
# No TAP: the system has no test program; the run ends once every expected line was seen.
axo_qemu_test(NAME system-default
    BOOT_CONFIG "${CMAKE_SOURCE_DIR}/image/boot.conf"
    NO_TAP NO_END_MARKER
    TIMEOUT 60
    QEMU_ARGS -drive file=null-co://,format=raw,if=ide,index=0
              -netdev user,id=net0,restrict=on -device e1000,netdev=net0
    EXPECT
        [[proc: started module 2 "mm".*the pager of every process]]
        [[com1: 16550 at port 3f8, irq 4, 115200 baud. serving]]
        [[tty: the console on com1, serving]]
        [[pci: [0-9]+ functions on [0-9]+ bus\(es\). serving]]
        [[eth0: 82540EM at .*, link up]]
        [[ata: ATA disk .* at port 1f0, irq 14: [0-9]+ sectors]]
        [[vga: VGA text 80x25, PS/2 keyboard on irq 1]]
        [[tty: tty1 on vga, serving]]
        [[fs: / is tmpfs, /tmp is tmpfs .*serving]]
        [[hello, world]])
