# Drivers (servers/drivers, lib/driver, proc's grants: servers/proc/devices.h). Included by
# tests/system/CMakeLists.txt. The test driver is tests/guest/drivers (README.md there).
# Tests: driver-restart, driver-serial, driver-serial-console, driver-console,
# driver-restart-console, driver-pci, driver-ata, driver-restart-ata, driver-e1000,
# driver-restart-e1000 (QEMU, label system) and bochs-driver-restart, bochs-driver-serial,
# bochs-driver-pci, bochs-driver-ata, bochs-driver-restart-ata, bochs-driver-e1000 (Bochs).
#
# driver-restart: proc starts the test driver drivers_test (on-exit=shutdown) in mode
# `restart`; it spawns the serial driver com2 (COM2 in UART loopback, on-exit=restart) and
# serial_client, kills the driver three times while the client is blocked in a read, and
# checks that proc restarts it and the client's next requests succeed. The intruder checks
# the grants (refusals, and a #GP on a port not granted, reported by proc).
include("${CMAKE_CURRENT_LIST_DIR}/../../cmake/axo_test.cmake")

set(_axo_drivers_dir "${AXO_TARGET_DIR}/tests/guest/drivers")
set(_axo_com2 "${AXO_TARGET_DIR}/drv/com2")
set(_axo_intruder "${_axo_drivers_dir}/intruder start=spawn port=0x2e8-0x2ef irq=5 mem=0xb8000-0xb8fff")

set(_axo_driver_restart_modules
    "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
    "${AXO_TARGET_DIR}/servers/proc/proc"
    "${_axo_drivers_dir}/drivers_test on-exit=shutdown restart"
    "${_axo_com2} port=0x2f8-0x2ff irq=3 start=spawn on-exit=restart loopback"
    "${_axo_drivers_dir}/serial_client start=spawn"
    "${_axo_drivers_dir}/dma_keeper start=spawn on-exit=restart port=0x2e0-0x2e7"
    "${_axo_intruder}")
set(_axo_driver_restart_expect
    [[proc: process [0-9]+ \(intruder\) faulted: vector 13]]
    [[proc: restarted module 3 "com2": process [0-9]+, thread [0-9.]+ \(restart 3\)]]
    [[proc: drivers_test ended.*: success]])

# QEMU makes a UART for each -serial: COM1 is the runner's log, COM2 (0x2f8, IRQ 3) is this.
axo_qemu_test(NAME driver-restart
    MODULES ${_axo_driver_restart_modules}
    QEMU_ARGS -serial null
    TIMEOUT 90
    EXPECT ${_axo_driver_restart_expect})

# driver-serial: the serial driver com2 on COM2 at boot; the test driver (mode `serial`) spawns
# serial_echo, which talks through it to the host: tests/system/serial_peer.py binds COM2 to a
# host socket, sends 64 KiB of pseudo-random bytes, checks their XOR-transformed echo and then
# 64 KiB of a known pattern from the guest, byte for byte. The guest checks the driver's
# counters (every byte, no overrun, interrupts). serial_peer.py wraps the usual runner.
function(axo_serial_peer_test)
    cmake_parse_arguments(PARSE_ARGV 0 T "${_AXO_TEST_OPTIONS}" "${_AXO_TEST_ONE};RUNNER;BYTES"
        "${_AXO_TEST_MULTI}")
    _axo_runner_args(args 60)
    add_test(NAME ${T_NAME}
        COMMAND "${Python3_EXECUTABLE}" "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/serial_peer.py"
                "--runner=${T_RUNNER}" "--bytes=${T_BYTES}" ${args})
    if(T_RUNNER STREQUAL "bochs")
        _axo_test_properties(bochs ${_AXO_BOCHS_SLACK})
    else()
        _axo_test_properties(system ${_AXO_QEMU_SLACK})
    endif()
endfunction()

set(_axo_driver_serial_modules
    "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
    "${AXO_TARGET_DIR}/servers/proc/proc"
    "${_axo_drivers_dir}/drivers_test on-exit=shutdown serial 600"
    "${_axo_com2} port=0x2f8-0x2ff irq=3"
    "${_axo_drivers_dir}/serial_echo start=spawn"
    "${_axo_intruder}")
set(_axo_driver_serial_expect
    [[com2: 16550 at port 2f8, irq 3]]
    [[serial_echo: echoed 65536 bytes]]
    [[proc: drivers_test ended.*: success]])

axo_serial_peer_test(NAME driver-serial RUNNER qemu BYTES 65536
    MODULES ${_axo_driver_serial_modules}
    TIMEOUT 120
    EXPECT ${_axo_driver_serial_expect})

# The same on Bochs (Pentium, GRUB ISO): COM2 is a TCP socket to the peer (socket-client).
axo_serial_peer_test(NAME bochs-driver-serial RUNNER bochs BYTES 65536
    MODULES ${_axo_driver_serial_modules}
    TIMEOUT 400
    EXPECT ${_axo_driver_serial_expect})

# driver-restart on Bochs: COM2 exists but is connected to nothing (the test uses loopback).
axo_bochs_test(NAME bochs-driver-restart
    MODULES ${_axo_driver_restart_modules}
    BOCHSRC_LINES "com2: enabled=1, mode=null"
    TIMEOUT 180
    EXPECT ${_axo_driver_restart_expect})

# driver-serial-console: com2 at boot with `console loopback`: a newlib program started after it
# (apps/hello) writes its stdout through the serial driver (libposix looks "console" up);
# the UART's loopback brings the bytes back, and the test driver reads them from com2.
set(_axo_driver_serial_console_modules
    "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
    "${AXO_TARGET_DIR}/servers/proc/proc"
    "${_axo_drivers_dir}/drivers_test on-exit=shutdown console"
    "${_axo_com2} port=0x2f8-0x2ff irq=3 loopback console"
    "${AXO_TARGET_DIR}/apps/hello/hello start=spawn"
    "${_axo_intruder}")
set(_axo_driver_serial_console_expect
    [[com2: 16550 at port 2f8, irq 3, 115200 baud, loopback, the console]]
    [[proc: drivers_test ended.*: success]])
# Not on Bochs: Bochs' UART loopback duplicates a byte whenever the guest refills the transmit
# FIFO (71 bytes written, 75 looped back: "byytes", "ffreed"), although its line path is exact
# (bochs-driver-serial: 128 KiB byte for byte). bochs-driver-restart writes 8 bytes at a time
# into an empty FIFO and is not affected.
axo_qemu_test(NAME driver-serial-console
    MODULES ${_axo_driver_serial_console_modules}
    QEMU_ARGS -serial null
    TIMEOUT 60
    EXPECT ${_axo_driver_serial_console_expect})

# driver-pci: the pci driver (its only grant: the configuration ports) enumerates the
# emulator's buses and reports every function to proc; proc's replies name the e1000 (nic_probe's
# pci=8086:100e), which the pci driver enables. Look-ups by vendor/device and class, BAR sizes,
# bad look-ups; nic_probe reaches the e1000 through the BARs and IRQ proc granted it.
set(_axo_driver_pci_modules
    "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
    "${AXO_TARGET_DIR}/servers/proc/proc"
    "${_axo_drivers_dir}/drivers_test on-exit=shutdown pci"
    "${AXO_TARGET_DIR}/servers/drivers/pci/pci port=0xcf8-0xcff"
    "${_axo_drivers_dir}/nic_probe start=spawn pci=8086:100e"
    "${_axo_intruder}")
axo_qemu_test(NAME driver-pci
    MODULES ${_axo_driver_pci_modules}
    TIMEOUT 60
    EXPECT [[pci: [0-9]+ functions on [0-9]+ bus\(es\)]]
           [[pci: 00:03.0 8086:100e.0 is named by 1 module\(s\): enabled]]
           [[proc: drivers_test ended.*: success]])
axo_bochs_test(NAME bochs-driver-pci
    MODULES ${_axo_driver_pci_modules}
    TIMEOUT 180
    EXPECT [[pci: [0-9]+ functions on [0-9]+ bus\(es\)]]
           [[proc: drivers_test ended.*: success]])

# driver-clients: com2's line names its client (`client=drivers_test`): the test driver writes
# and reads back through the UART's loopback; serial_client, spawned (a stranger), is refused
# write, read and flush (no_permission) and may still read the counters. The default system
# gives COM1 and the VGA console to the tty server this way (image/boot.conf).
axo_qemu_test(NAME driver-clients
    MODULES "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
            "${AXO_TARGET_DIR}/servers/proc/proc"
            "${_axo_drivers_dir}/drivers_test on-exit=shutdown clients"
            "${_axo_com2} port=0x2f8-0x2ff irq=3 loopback client=drivers_test"
            "${_axo_drivers_dir}/serial_client start=spawn"
            "${_axo_intruder}"
    QEMU_ARGS -serial null
    TIMEOUT 60
    EXPECT [[com2: refused thread [0-9.]+: not a client of this device]]
           [[serial_client: a stranger to com2: write no permission, read no permission, flush no permission, counters ok]]
           [[proc: drivers_test ended.*: success]])

# driver-irq-storm: a driver flooded with interrupts. irq_storm (tests/guest/drivers) drives
# QEMU's edu device (pci=1234:11e8, the only device on its IRQ line here) and never clears its
# interrupt status: the kernel takes the interrupt again the moment the driver acknowledges the
# line. While it storms, the test driver's sleep ends, proc answers a thousand look-ups, a new
# process starts and ends, and the storm's count grows; killed in the storm, the driver leaves
# the line masked, and a new instance gets the pending interrupt and stops the storm.
axo_qemu_test(NAME driver-irq-storm
    MODULES "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
            "${AXO_TARGET_DIR}/servers/proc/proc"
            "${_axo_drivers_dir}/drivers_test on-exit=shutdown storm"
            "${AXO_TARGET_DIR}/servers/drivers/pci/pci port=0xcf8-0xcff"
            "${_axo_drivers_dir}/irq_storm start=spawn pci=1234:11e8"
            "${_axo_intruder}"
    QEMU_ARGS -device edu,addr=0x4
    TIMEOUT 90
    LABELS fuzz-system
    EXPECT [[proc: irq_storm: pci=1234:11e8.0 is 00:04.0: 1 memory, 0 port range\(s\), irq [0-9]+ granted]]
           [[irq_storm: stopped after [0-9]+ interrupts, the device status now 0]]
           [[proc: drivers_test ended.*: success]])

# ---- The VGA console (servers/drivers/console) --------------------------------------------------
# The driver "vga" gets the 8042's ports 0x60 and 0x64, the CRTC's 0x3d4-0x3d5, IRQ 1 and the
# text buffer's page; its line is written in decimal to stay under the KIP's 119 bytes. The
# test driver is console_test (tests/guest/drivers/console_test.cc); the host's side is
# tests/system/console_monitor.py, which types keys (`sendkey`) and reads the screen (`xp`)
# through QEMU's monitor when the guest asks on the serial log. No intruder here: its grant
# (mem=0xb8000-0xb8fff) is the console's page.
function(axo_console_monitor_test)
    cmake_parse_arguments(PARSE_ARGV 0 T "${_AXO_TEST_OPTIONS}" "${_AXO_TEST_ONE};MIN_COMMANDS"
        "${_AXO_TEST_MULTI}")
    _axo_runner_args(args 60)
    add_test(NAME ${T_NAME}
        COMMAND "${Python3_EXECUTABLE}" "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/console_monitor.py"
                "--min-commands=${T_MIN_COMMANDS}" ${args})
    _axo_test_properties(system ${_AXO_QEMU_SLACK})
endfunction()

# mem=753664-757759 is 0xb8000-0xb8fff: two bytes shorter, so that restart's line stays under
# 119 bytes in a worktree path a few characters longer than /work/main.
set(_axo_vga "${AXO_TARGET_DIR}/drv/vga port=96 port=100 port=980-981 irq=1 mem=753664-757759")

# driver-console: "vga" at boot as "console" with `check` (proc refuses it a port, an IRQ line
# and a page outside its grant); hello (newlib) prints through it, the screen scrolls, the host
# reads rows of the screen back from VGA memory; then the host types keys — letters, digits,
# both shifts, caps lock, ctrl, space, enter, minus, arrows, the keypad — and console_test
# compares the characters it reads through the driver, and the interrupt counts.
axo_console_monitor_test(NAME driver-console MIN_COMMANDS 12
    MODULES "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
            "${AXO_TARGET_DIR}/servers/proc/proc"
            "${_axo_drivers_dir}/console_test on-exit=shutdown keys"
            "${_axo_vga} console check"
            "${AXO_TARGET_DIR}/apps/hello/hello start=spawn"
    TIMEOUT 120
    EXPECT [[vga: check: outside the grant, port 0x61: no permission, irq 12: no permission, memory a0000: no permission.*all refused]]
           [[vga: VGA text 80x25, PS/2 keyboard on irq 1, the console]]
           [[proc: console_test ended.*: success]])

# driver-restart-console: console_test spawns "vga" (on-exit=restart) and console_client, and
# kills the driver twice while the client waits in a read; proc restarts it, the new instance
# reads the cursor back, and a key the host types after each restart reaches the client.
axo_console_monitor_test(NAME driver-restart-console MIN_COMMANDS 2
    MODULES "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
            "${AXO_TARGET_DIR}/servers/proc/proc"
            "${_axo_drivers_dir}/console_test on-exit=shutdown restart"
            "${_axo_vga} start=spawn on-exit=restart"
            "${_axo_drivers_dir}/console_client start=spawn"
    TIMEOUT 120
    EXPECT [[proc: restarted module 3 "vga": process [0-9]+, thread [0-9.]+ \(restart 2\)]]
           [[console_client: 2 rounds, each read after a restart got its key]]
           [[proc: console_test ended.*: success]])

# ---- ATA (servers/drivers/ata) ----------------------------------------------------------------
# tests/system/ata_disk.py makes a fresh raw image in the build tree for each run (with sectors
# of the host's own), gives it to the emulator as the primary channel's master, wraps the usual
# runner and afterwards checks the image byte for byte (its docstring has the layout).
#
# driver-ata: the driver "ata" at boot; drivers_test (mode `ata`) is its client: buffer by map
# item, the pattern to the first sector, a whole buffer, a run and the last sector, flush, read
# back; the host's sectors; zeros; every malformed request refused; the interrupt count.
function(axo_ata_disk_test)
    cmake_parse_arguments(PARSE_ARGV 0 T "${_AXO_TEST_OPTIONS}" "${_AXO_TEST_ONE};RUNNER;LAYOUT"
        "${_AXO_TEST_MULTI};BOCHSRC_LINES")
    _axo_runner_args(args 60)
    foreach(line IN LISTS T_BOCHSRC_LINES)
        list(APPEND args "--bochsrc-line=${line}")
    endforeach()
    add_test(NAME ${T_NAME}
        COMMAND "${Python3_EXECUTABLE}" "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/ata_disk.py"
                "--runner=${T_RUNNER}" "--layout=${T_LAYOUT}"
                "--disk=${AXO_TEST_LOG_DIR}/${T_NAME}.img" ${args})
    if(T_RUNNER STREQUAL "bochs")
        _axo_test_properties(bochs ${_AXO_BOCHS_SLACK})
    else()
        _axo_test_properties(system ${_AXO_QEMU_SLACK})
    endif()
endfunction()

set(_axo_ata "${AXO_TARGET_DIR}/drv/ata port=0x1f0-0x1f7 port=0x3f6 irq=14")
set(_axo_driver_ata_modules
    "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
    "${AXO_TARGET_DIR}/servers/proc/proc"
    "${_axo_drivers_dir}/drivers_test on-exit=shutdown ata 16128"
    "${_axo_ata}"
    "${_axo_intruder}")
set(_axo_driver_ata_expect
    [[ata: ATA disk ".+" at port 1f0, irq 14: 16128 sectors(, LBA48)?, [0-9]+ per interrupt]]
    [[proc: drivers_test ended.*: success]])

# QEMU's disk offers READ/WRITE MULTIPLE with blocks of 16 sectors: the driver takes them.
axo_ata_disk_test(NAME driver-ata RUNNER qemu LAYOUT ata
    MODULES ${_axo_driver_ata_modules}
    TIMEOUT 90
    EXPECT ${_axo_driver_ata_expect} [[16128 sectors(, LBA48)?, 16 per interrupt]])

# The same on Bochs: the image is ata0-master (flat, 16/16/63), the boot CD-ROM ata1-master.
axo_ata_disk_test(NAME bochs-driver-ata RUNNER bochs LAYOUT ata
    MODULES ${_axo_driver_ata_modules}
    TIMEOUT 400
    EXPECT ${_axo_driver_ata_expect})

# driver-restart-ata: drivers_test (mode `ata-restart`) spawns ata (on-exit=restart) and
# ata_client, kills the driver three times while the client writes and reads through it; proc
# restarts it and the client's next requests succeed. ata_probe, granted the secondary
# channel, is refused the primary channel's ports and IRQ 14.
set(_axo_driver_restart_ata_modules
    "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
    "${AXO_TARGET_DIR}/servers/proc/proc"
    "${_axo_drivers_dir}/drivers_test on-exit=shutdown ata-restart 3"
    "${_axo_ata} start=spawn on-exit=restart"
    "${_axo_drivers_dir}/ata_client start=spawn"
    "${_axo_drivers_dir}/ata_probe start=spawn port=0x170-0x177 port=0x376 irq=15"
    "${_axo_intruder}")
set(_axo_driver_restart_ata_expect
    [[ata_probe: refused the ATA driver's ports and IRQ 14]]
    [[proc: restarted module 3 "ata": process [0-9]+, thread [0-9.]+ \(restart 3\)]]
    [[ata_client: restart 3: buffer, write and read succeeded]]
    [[proc: drivers_test ended.*: success]])
axo_ata_disk_test(NAME driver-restart-ata RUNNER qemu LAYOUT restart
    MODULES ${_axo_driver_restart_ata_modules}
    TIMEOUT 120
    EXPECT ${_axo_driver_restart_ata_expect})

# The same on Bochs (the CD-ROM on ata1, the image on ata0).
axo_ata_disk_test(NAME bochs-driver-restart-ata RUNNER bochs LAYOUT restart
    MODULES ${_axo_driver_restart_ata_modules}
    TIMEOUT 400
    EXPECT ${_axo_driver_restart_ata_expect})

# ata-stranger-write-refused: the disk is given to fs (`client=fs` on the driver's line; proc's
# device table says who that is: fs's boot instance). tests/system/ata_stranger_disk.py makes a
# fresh 4 MiB ext2 image, fs mounts it as its root, and ata_stranger, an ordinary process, asks
# for a buffer and writes sector 0 and the superblock: each request is refused with
# no_permission; afterwards the boot block is as mke2fs wrote it and e2fsck -fn is clean.
function(axo_ata_stranger_test)
    cmake_parse_arguments(PARSE_ARGV 0 T "${_AXO_TEST_OPTIONS}" "${_AXO_TEST_ONE}"
        "${_AXO_TEST_MULTI}")
    _axo_runner_args(args 60)
    add_test(NAME ${T_NAME}
        COMMAND "${Python3_EXECUTABLE}" "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/ata_stranger_disk.py"
                "--disk=${AXO_TEST_LOG_DIR}/${T_NAME}.img" ${args})
    _axo_test_properties(system ${_AXO_QEMU_SLACK})
endfunction()

axo_ata_stranger_test(NAME ata-stranger-write-refused
    MODULES "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
            "${AXO_TARGET_DIR}/servers/proc/proc"
            "${AXO_TARGET_DIR}/servers/memory/mm/mm"
            "${_axo_ata} client=fs"
            "${AXO_TARGET_DIR}/servers/fs/fs"
            "${_axo_drivers_dir}/ata_stranger on-exit=shutdown"
    TIMEOUT 60
    EXPECT [[fs: / is ext2 on ata, /tmp is tmpfs .*serving]]
           [[ata_stranger: every request on the disk refused]]
           [[proc: ata_stranger ended.*: success]])

# ---- The pci server and the e1000 driver (servers/drivers/pci, servers/drivers/e1000) ----
#
# driver-e1000: pci at boot (configuration ports), e1000 twice at boot: eth0 on QEMU's user
# network (pci=8086:100e.0, the first NIC; `selfcheck`: asks for memory and an IRQ outside its
# grants and must be refused), eth1 on a socket netdev to tests/system/net_peer.py on 127.0.0.1
# (pci=8086:100e.1). proc grants each its device's BARs and IRQ line from the pci server. The
# test driver (mode `net`) checks the pci look-ups, the ARP exchange with QEMU's gateway through
# eth0, 64 frames each way with the host through eth1 (the peer checks every byte) and the
# drivers' counters (frames, bytes, interrupts). `twin` names QEMU's `edu` device at slot 4,
# whose interrupt the firmware routes to IRQ 11 like eth0's (slot 3): proc refuses it the grants
# when it claims (the conflict check of pci-derived grants against eth0's), and it exits 1.
set(_axo_pci "${AXO_TARGET_DIR}/servers/drivers/pci/pci port=0xcf8-0xcff")
function(axo_net_peer_test)
    cmake_parse_arguments(PARSE_ARGV 0 T "${_AXO_TEST_OPTIONS}" "${_AXO_TEST_ONE};FRAMES"
        "${_AXO_TEST_MULTI};QEMU_ARGS")
    _axo_runner_args(args 60)
    foreach(arg IN LISTS T_QEMU_ARGS)
        list(APPEND args "--extra-qemu-arg=${arg}")
    endforeach()
    add_test(NAME ${T_NAME}
        COMMAND "${Python3_EXECUTABLE}" "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/net_peer.py"
                "--user-nic" "--frames=${T_FRAMES}" ${args})
    _axo_test_properties(system ${_AXO_QEMU_SLACK})
endfunction()

axo_net_peer_test(NAME driver-e1000 FRAMES 64
    MODULES "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
            "${AXO_TARGET_DIR}/servers/proc/proc"
            "${_axo_drivers_dir}/drivers_test on-exit=shutdown net 64"
            "${_axo_pci}"
            "${AXO_TARGET_DIR}/drv/eth0 pci=8086:100e.0 selfcheck"
            "${AXO_TARGET_DIR}/drv/eth1 pci=8086:100e.1"
            "${AXO_TARGET_DIR}/drv/eth1 name=twin pci=1234:11e8 start=spawn"
            "${_axo_drivers_dir}/net_client start=spawn"
            "${_axo_intruder}"
    QEMU_ARGS -device edu,addr=0x4
    TIMEOUT 120
    EXPECT [[proc: eth0: pci=8086:100e.0 is 00:03.0: 1 memory, 1 port range\(s\), irq [0-9]+ granted]]
           [[eth0: outside its grants: memory [0-9a-f]+ no permission, irq [0-9]+ no permission]]
           [[proc: twin: pci=1234:11e8.0 refused: IRQ 11 is granted to module 4 \(eth0\)]]
           [[net_client: ARP reply \([0-9]+ bytes\): 10.0.2.2 is at 52:55:0a:00:02:02]]
           [[net_client: echoed 64 frames and sent 64 pattern frames]]
           [[proc: drivers_test ended.*: success]])

# driver-restart-e1000: pci spawned by the test driver (on-exit=restart), killed once, the
# restarted one answers the next look-up; eth0 spawned by the test driver (on-exit=restart) on QEMU's user
# network; killed three times while net_client waits in a receive; proc restarts it and grants
# its pci resources again; the client's next ARP exchange through it succeeds.
axo_qemu_test(NAME driver-restart-e1000
    MODULES "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
            "${AXO_TARGET_DIR}/servers/proc/proc"
            "${_axo_drivers_dir}/drivers_test on-exit=shutdown net-restart"
            "${_axo_pci} start=spawn on-exit=restart"
            "${AXO_TARGET_DIR}/drv/eth0 pci=8086:100e start=spawn on-exit=restart"
            "${_axo_drivers_dir}/net_client start=spawn"
            "${_axo_intruder}"
    QEMU_ARGS -netdev user,id=u0,restrict=on -device e1000,netdev=u0,mac=52:54:00:12:34:56
    TIMEOUT 120
    EXPECT [[proc: restarted module [0-9]+ "pci": process [0-9]+, thread [0-9.]+ \(restart 1\)]]
           [[proc: restarted module [0-9]+ "eth0": process [0-9]+, thread [0-9.]+ \(restart 3\)]]
           [[net_client: round 3: the blocked receive ended]]
           [[proc: drivers_test ended.*: success]])

# bochs-driver-e1000: the same driver on Bochs' e1000 (Pentium, GRUB ISO, Bochs' own BIOS and
# IRQ routing) with Bochs' internal slirp network: the pci server finds the NIC, proc grants it,
# the ARP exchange with the gateway through it, refusals outside its grants, its counters.
axo_bochs_test(NAME bochs-driver-e1000
    MODULES "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
            "${AXO_TARGET_DIR}/servers/proc/proc"
            "${_axo_drivers_dir}/drivers_test on-exit=shutdown net-arp"
            "${_axo_pci}"
            "${AXO_TARGET_DIR}/drv/eth0 pci=8086:100e selfcheck"
            "${_axo_drivers_dir}/net_client start=spawn"
            "${_axo_intruder}"
    BOCHSRC_LINES "pci: enabled=1, chipset=i440fx, slot1=e1000"
                  "e1000: enabled=1, mac=52:54:00:12:34:56, ethmod=slirp"
    TIMEOUT 300
    EXPECT [[proc: eth0: pci=8086:100e.0 is 00:02.0: 1 memory, 1 port range\(s\), irq [0-9]+ granted]]
           [[net_client: ARP reply \([0-9]+ bytes\): 10.0.2.2 is at 52:55:0a:00:02:02]]
           [[proc: drivers_test ended.*: success]])

# ---- Restart, for every driver -----------------------------------------------------------------
# driver-restart is one boot per driver (each needs its own devices and host peer):
# driver-restart (serial), driver-restart-ata, driver-restart-console, driver-restart-e1000, and
# on Bochs bochs-driver-restart and bochs-driver-restart-ata. The label `restart` selects them
# all: ./axo test -L restart
set_property(TEST driver-restart driver-restart-ata driver-restart-console driver-restart-e1000
                  bochs-driver-restart bochs-driver-restart-ata
             APPEND PROPERTY LABELS restart)
