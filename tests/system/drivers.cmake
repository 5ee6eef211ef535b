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
