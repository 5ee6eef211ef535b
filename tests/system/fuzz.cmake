# fuzz-syscalls: the system-call fuzzer (tests/guest/fuzz/README.md). proc starts mm and the
# fuzzer at boot (on-exit=shutdown: its exit ends the run); the fuzzer spawns its canaries and
# attackers from its own module. Included by tests/system/CMakeLists.txt.
#
# Reproduce or vary a run: cmake -DAXO_FUZZ_SYSCALLS_SEED=N -DAXO_FUZZ_SYSCALLS_CALLS=N build
# (the fuzzer prints its seed and, on a failure, the call's number and registers), or boot the
# module line by hand (tests/README.md, "Running a runner by hand"). -DAXO_FUZZ_LONG=ON adds
# fuzz-syscalls-long: 10 M calls and 2000 attackers (label fuzz-long).
include("${CMAKE_CURRENT_LIST_DIR}/../../cmake/axo_test.cmake")

set(AXO_FUZZ_SYSCALLS_SEED 1 CACHE STRING "seed of the fuzz-syscalls test")
set(AXO_FUZZ_SYSCALLS_CALLS 1000000 CACHE STRING "system calls fuzz-syscalls makes on QEMU")
set(AXO_FUZZ_SYSCALLS_BOCHS_CALLS 100000 CACHE STRING "system calls bochs-fuzz-syscalls makes")
option(AXO_FUZZ_LONG "also register fuzz-syscalls-long (10 M calls)" OFF)

set(_axo_fuzz_program "${AXO_TARGET_DIR}/tests/guest/fuzz/fuzz_syscalls")
function(_axo_fuzz_modules out calls attacks)
    set(${out}
        "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
        "${AXO_TARGET_DIR}/servers/proc/proc"
        "${AXO_TARGET_DIR}/servers/memory/mm/mm"
        "${_axo_fuzz_program} on-exit=shutdown seed=${AXO_FUZZ_SYSCALLS_SEED} calls=${calls} attacks=${attacks}"
        PARENT_SCOPE)
endfunction()
set(_axo_fuzz_expect [[proc: fuzz_syscalls ended.*: success]])

_axo_fuzz_modules(_axo_fuzz_qemu_modules ${AXO_FUZZ_SYSCALLS_CALLS} 200)
axo_qemu_test(NAME fuzz-syscalls
    MODULES ${_axo_fuzz_qemu_modules}
    TIMEOUT 150
    LABELS fuzz-system
    EXPECT ${_axo_fuzz_expect})

_axo_fuzz_modules(_axo_fuzz_bochs_modules ${AXO_FUZZ_SYSCALLS_BOCHS_CALLS} 40)
axo_bochs_test(NAME bochs-fuzz-syscalls
    MODULES ${_axo_fuzz_bochs_modules}
    TIMEOUT 300
    LABELS fuzz-system
    EXPECT ${_axo_fuzz_expect})

if(AXO_FUZZ_LONG)
    _axo_fuzz_modules(_axo_fuzz_long_modules 10000000 2000)
    axo_qemu_test(NAME fuzz-syscalls-long
        MODULES ${_axo_fuzz_long_modules}
        TIMEOUT 1500
        LABELS fuzz-system fuzz-long
        EXPECT ${_axo_fuzz_expect})
endif()

# fuzz-rpc: tests/guest/fuzz/rpc.cc. proc starts mm, every driver of the default system
# (on-exit=restart: a crash would be restarted, and the fuzzer counts restarts as failures) —
# the serial driver on COM2, pci, e1000, ata, the VGA console — fs (tmpfs root: the disk is
# null; not restarted), the tty on a line of its own (a serial driver on COM3, which QEMU
# connects to nothing: no input, so no signals from typed characters) and the fuzzer, whose
# children send each server (σ0, proc, mm, the five drivers, fs and the tty)
# AXO_FUZZ_RPC_REQUESTS malformed requests, while a victim process holds files and a pipe at fs.
set(AXO_FUZZ_RPC_REQUESTS 100000 CACHE STRING "malformed requests fuzz-rpc sends each server")
set(_axo_drv "${AXO_TARGET_DIR}/drv")
axo_qemu_test(NAME fuzz-rpc
    MODULES "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
            "${AXO_TARGET_DIR}/servers/proc/proc"
            "${AXO_TARGET_DIR}/servers/memory/mm/mm"
            "${_axo_drv}/com2 port=0x2f8-0x2ff irq=3 on-exit=restart loopback"
            "${AXO_TARGET_DIR}/servers/drivers/pci/pci port=0xcf8-0xcff on-exit=restart"
            "${_axo_drv}/eth0 pci=8086:100e on-exit=restart"
            "${_axo_drv}/ata port=0x1f0-0x1f7 port=0x3f6 irq=14 on-exit=restart"
            "${_axo_drv}/vga port=96 port=100 port=980-981 irq=1 mem=753664-757759 on-exit=restart"
            "${AXO_TARGET_DIR}/servers/fs/fs"
            "${AXO_TARGET_DIR}/servers/drivers/serial/serial name=com3 port=0x3e8-0x3ef irq=4"
            "${AXO_TARGET_DIR}/servers/tty/tty line=com3"
            "${AXO_TARGET_DIR}/tests/guest/fuzz/fuzz_rpc on-exit=shutdown seed=${AXO_FUZZ_SYSCALLS_SEED} requests=${AXO_FUZZ_RPC_REQUESTS}"
    QEMU_ARGS -serial null -serial null
              -drive file=null-co://,format=raw,if=ide,index=0
              -netdev user,id=net0,restrict=on -device e1000,netdev=net0
    TIMEOUT 170
    LABELS fuzz-system
    EXPECT [[proc: fuzz_rpc ended.*: success]])

# fuzz-rpc-ext2: the rounds of fs and of the ATA driver with ext2 on the ATA disk as fs's root
# (the root file system the build makes; snapshot=on keeps the image as built), so that the
# malformed requests and the victim's files go through ext2 and the block cache. The disk is
# fs's (client=fs): the fuzzer's children are refused every buffer, read and write
# (no_permission), so the driver's round cannot damage fs's disk; after each child fs still
# reads the held file and the victim's files back (ata-stranger-write-refused in drivers.cmake
# checks the image with e2fsck).
axo_qemu_test(NAME fuzz-rpc-ext2
    MODULES "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
            "${AXO_TARGET_DIR}/servers/proc/proc"
            "${AXO_TARGET_DIR}/servers/memory/mm/mm"
            "${AXO_TARGET_DIR}/drv/ata port=0x1f0-0x1f7 port=0x3f6 irq=14 client=fs"
            "${AXO_TARGET_DIR}/servers/fs/fs"
            "${AXO_TARGET_DIR}/tests/guest/fuzz/fuzz_rpc on-exit=shutdown only=fs,ata seed=${AXO_FUZZ_SYSCALLS_SEED} requests=${AXO_FUZZ_RPC_REQUESTS}"
    QEMU_ARGS -drive file=${AXO_TARGET_DIR}/image/rootfs.img,format=raw,if=ide,index=0,snapshot=on
    TIMEOUT 120
    LABELS fuzz-system
    EXPECT [[fs: / is ext2 on ata, /tmp is tmpfs .*serving]]
           [[proc: fuzz_rpc ended.*: success]])

# exhaustion: tests/guest/fuzz/exhaust.cc, on the default servers with fs on the ATA disk (the
# root file system the build makes; snapshot=on keeps the image as built) and the tty on COM1. A
# process allocating until refused (hello --exhaust), a fork bomb, a flood of threads, files
# until fs's handles per process and its table of open files are used up, pipes until fs's
# table of pipes is, a client that never reads its replies; after each a new process spawns
# and runs, another runs a command through fs, and proc's, mm's and the kernel's counts are back.
axo_qemu_test(NAME exhaustion
    MODULES "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
            "${AXO_TARGET_DIR}/servers/proc/proc"
            "${AXO_TARGET_DIR}/servers/memory/mm/mm"
            "${AXO_TARGET_DIR}/servers/drivers/serial/serial name=com1 port=0x3f8-0x3ff irq=4"
            "${AXO_TARGET_DIR}/servers/tty/tty"
            "${AXO_TARGET_DIR}/drv/ata port=0x1f0-0x1f7 port=0x3f6 irq=14 client=fs"
            "${AXO_TARGET_DIR}/servers/fs/fs"
            "${AXO_TARGET_DIR}/tests/guest/fuzz/exhaust on-exit=shutdown"
            "${AXO_TARGET_DIR}/apps/hello/hello start=spawn"
    QEMU_ARGS -drive file=${AXO_TARGET_DIR}/image/rootfs.img,format=raw,if=ide,index=0,snapshot=on
    TIMEOUT 150
    LABELS fuzz-system
    EXPECT [[fs: / is ext2 on ata, /tmp is tmpfs .*serving]]
           [[tty: the console on com1, serving]]
           [[proc: exhaust ended.*: success]])
