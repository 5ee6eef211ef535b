# open-posix (README.md): the Open POSIX Test Suite's tests in the guest. σ0, proc, mm, the ATA
# driver, fs with the suite's own disk image as its root (QEMU's snapshot=on keeps it as built),
# and open_posix_runner (on-exit=shutdown), which runs every test listed on the image and prints
# its result; open_posix_run.py judges them against expectations.txt and writes
# docs/open-posix-report.md. Included by tests/system/CMakeLists.txt.
include("${CMAKE_CURRENT_LIST_DIR}/../../cmake/axo_test.cmake")

set(T_NAME open-posix)
set(T_TIMEOUT 170)
set(T_MODULES
    "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
    "${AXO_TARGET_DIR}/servers/proc/proc"
    "${AXO_TARGET_DIR}/servers/memory/mm/mm"
    "${AXO_TARGET_DIR}/servers/drivers/ata/ata port=0x1f0-0x1f7 port=0x3f6 irq=14"
    "${AXO_TARGET_DIR}/servers/fs/fs"
    "${AXO_TARGET_DIR}/tests/open_posix/open_posix_runner on-exit=shutdown")
set(T_NO_TAP ON)
set(T_EXPECT [[^open-posix: ran \d+: ]] [[proc: open_posix_runner ended.*on-exit=shutdown: success]])
_axo_runner_args(_pts_args ${T_TIMEOUT})
add_test(NAME open-posix
    COMMAND "${Python3_EXECUTABLE}" "${CMAKE_CURRENT_LIST_DIR}/open_posix_run.py"
        "--expectations=${CMAKE_CURRENT_LIST_DIR}/expectations.txt"
        "--build-results=${AXO_TARGET_DIR}/tests/open_posix/work/build-results.txt"
        "--report=${PROJECT_SOURCE_DIR}/docs/open-posix-report.md"
        ${_pts_args}
        "--extra-qemu-arg=-drive"
        "--extra-qemu-arg=file=${AXO_TARGET_DIR}/tests/open_posix/open-posix.img,format=raw,if=ide,index=0,snapshot=on")
_axo_test_properties(system ${_AXO_QEMU_SLACK})
set_property(TEST open-posix APPEND PROPERTY LABELS open-posix)
