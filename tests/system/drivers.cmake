# Drivers (servers/drivers, lib/driver, proc's grants: servers/proc/devices.h). Included by
# tests/system/CMakeLists.txt. The test driver is tests/guest/drivers (README.md there).
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

# driver-console: com2 at boot with `console loopback`: a newlib program started after it
# (apps/hello) writes its stdout through the serial driver (lib/libc_glue looks "console" up);
# the UART's loopback brings the bytes back, and the test driver reads them from com2.
axo_qemu_test(NAME driver-console
    MODULES "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
            "${AXO_TARGET_DIR}/servers/proc/proc"
            "${_axo_drivers_dir}/drivers_test on-exit=shutdown console"
            "${_axo_com2} port=0x2f8-0x2ff irq=3 loopback console"
            "${AXO_TARGET_DIR}/apps/hello/hello start=spawn"
            "${_axo_intruder}"
    QEMU_ARGS -serial null
    TIMEOUT 60
    EXPECT [[com2: 16550 at port 2f8, irq 3, 115200 baud, loopback, the console]]
           [[proc: drivers_test ended.*: success]])

# ---- The pci server and the e1000 driver (servers/drivers/pci, servers/drivers/e1000) ----
#
# driver-e1000: pci at boot (configuration ports), e1000 twice at boot: eth0 on QEMU's user
# network (pci=8086:100e.0, the first NIC; `selfcheck`: asks for memory and an IRQ outside its
# grants and must be refused), eth1 on a socket netdev to tests/system/net_peer.py on 127.0.0.1
# (pci=8086:100e.1). proc grants each its device's BARs and IRQ line from the pci server. The
# test driver (mode `net`) checks the pci look-ups, the ARP exchange with QEMU's gateway through
# eth0, 64 frames each way with the host through eth1 (the peer checks every byte) and the
# drivers' counters (frames, bytes, interrupts). `twin` names eth0's device again: proc refuses
# it the grants (the conflict check of static grants), and it exits 1.
set(_axo_pci "${AXO_TARGET_DIR}/servers/drivers/pci/pci port=0xcf8-0xcff")
function(axo_net_peer_test)
    cmake_parse_arguments(PARSE_ARGV 0 T "${_AXO_TEST_OPTIONS}" "${_AXO_TEST_ONE};FRAMES"
        "${_AXO_TEST_MULTI}")
    _axo_runner_args(args 60)
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
            "${AXO_TARGET_DIR}/drv/eth1 name=twin pci=8086:100e.0 start=spawn"
            "${_axo_drivers_dir}/net_client start=spawn"
            "${_axo_intruder}"
    TIMEOUT 120
    EXPECT [[proc: eth0: pci=8086:100e.0 is 00:03.0: 1 memory, 1 port range\(s\), irq [0-9]+ granted]]
           [[eth0: outside its grants: memory [0-9a-f]+ no permission, irq [0-9]+ no permission]]
           [[proc: twin: pci=8086:100e.0 refused: .* of module 4 \(eth0\)]]
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
    EXPECT [[proc: eth0: pci=8086:100e is 00:02.0: 1 memory, 1 port range\(s\), irq [0-9]+ granted]]
           [[net_client: ARP reply \([0-9]+ bytes\): 10.0.2.2 is at 52:55:0a:00:02:02]]
           [[proc: drivers_test ended.*: success]])
