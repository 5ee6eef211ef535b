# bench-smoke: the Axolotl benchmark (bench/guest) boots once under -icount and must print
# every result, each with a positive instruction count (CR3 writes per round trip may be 0).
# Not a timing test: it never looks at how large a number is, only that it was measured. The
# Linux baseline is too slow to fetch and boot for every run: only `./axo bench` runs it.
# Small spaces are forced on (QEMU ignores segment limits), as `./axo bench` does.
include("${CMAKE_CURRENT_LIST_DIR}/../../cmake/axo_test.cmake")

set(_axo_bench_instruction_results
    syscall.null
    ipc.oneway.intra ipc.oneway.intra.reply ipc.roundtrip.intra ipc.roundtrip.intra.words8 ipc.roundtrip.intra.words64
    ipc.oneway.large ipc.oneway.large.reply ipc.roundtrip.large ipc.roundtrip.large.words8 ipc.roundtrip.large.words64
    ipc.oneway.small ipc.oneway.small.reply ipc.roundtrip.small ipc.roundtrip.small.words8 ipc.roundtrip.small.words64
    ipc.map.page pagefault.roundtrip notify.wake)
set(_axo_bench_count_results
    cr3.per_roundtrip.intra cr3.per_roundtrip.large cr3.per_roundtrip.small)

set(_axo_bench_expect)
foreach(name IN LISTS _axo_bench_instruction_results)
    string(REPLACE "." "\\." pattern "${name}")
    list(APPEND _axo_bench_expect "^BENCH ${pattern} [1-9][0-9]* instructions\\r?$")
endforeach()
foreach(name IN LISTS _axo_bench_count_results)
    string(REPLACE "." "\\." pattern "${name}")
    list(APPEND _axo_bench_expect "^BENCH ${pattern} [0-9]+\\.[0-9][0-9] writes\\r?$")
endforeach()

axo_qemu_test(NAME bench-smoke
    CMDLINE "smallspaces=force"
    MODULES "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
            "${AXO_TARGET_DIR}/bench/guest/axo_bench axo_bench rounds=100 warmup=20"
    ICOUNT
    TIMEOUT 60
    EXPECT ${_axo_bench_expect}
    LABELS bench)

# bench-smoke-mm: page faults through mm (bench/guest/mm_faults.cc), a process proc starts with
# mm as its pager; its exit ends the run. Both results present and positive, nothing more.
axo_qemu_test(NAME bench-smoke-mm
    CMDLINE "smallspaces=force"
    MODULES "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
            "${AXO_TARGET_DIR}/servers/proc/proc"
            "${AXO_TARGET_DIR}/servers/memory/mm/mm"
            "${AXO_TARGET_DIR}/bench/guest/axo_bench_mm on-exit=shutdown rounds=100 warmup=20"
    ICOUNT
    TIMEOUT 60
    NO_TAP
    EXPECT [[^BENCH pagefault\.mm\.anon [1-9][0-9]* instructions\r?$]]
           [[^BENCH pagefault\.mm\.external [1-9][0-9]* instructions\r?$]]
           [[^BENCH cr3\.per_fault\.mm\.anon [0-9]+\.[0-9][0-9] writes\r?$]]
           [[proc: axo_bench_mm ended.*: success]]
    LABELS bench)

# The IPC fast path must give exactly the general path's results (bench/guest/fastpath_check.cc):
# every scenario twice, once taken by the fast path and once by the general path, compared.
set(_axo_fastpath_modules
    "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
    "${AXO_TARGET_DIR}/bench/guest/axo_fastpath_check axo_fastpath_check")
axo_qemu_test(NAME ipc-fastpath MODULES ${_axo_fastpath_modules} ICOUNT TIMEOUT 60)
axo_bochs_test(NAME bochs-ipc-fastpath MODULES ${_axo_fastpath_modules} TIMEOUT 120)

# bench-smoke-select: select on ready pipes (bench/guest/select_bench.c), a libposix program
# beside mm and fs; both results present and positive, nothing more.
axo_qemu_test(NAME bench-smoke-select
    CMDLINE "smallspaces=force"
    MODULES "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
            "${AXO_TARGET_DIR}/servers/proc/proc"
            "${AXO_TARGET_DIR}/servers/memory/mm/mm"
            "${AXO_TARGET_DIR}/servers/fs/fs"
            "${AXO_TARGET_DIR}/bench/guest/axo_bench_select on-exit=shutdown rounds=100 warmup=20"
    ICOUNT
    TIMEOUT 90
    NO_TAP
    EXPECT [[^BENCH select\.ready\.1 [1-9][0-9]* instructions\r?$]]
           [[^BENCH select\.ready\.8 [1-9][0-9]* instructions\r?$]]
           [[proc: axo_bench_select ended.*: success]]
    LABELS bench)

# bench-smoke-process: fork+exit+wait, fork+exec+wait and a signal to self
# (bench/guest/process_bench.c), a libposix program beside mm, the ATA driver and fs on the root
# file system the build makes (snapshot=on keeps it as built). It execs the image's /bin/true
# (busybox's applet; bench.py puts bench/guest/true.c there in a copy of the image). All three
# results present and positive, nothing more.
axo_qemu_test(NAME bench-smoke-process
    CMDLINE "smallspaces=force"
    MODULES "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
            "${AXO_TARGET_DIR}/servers/proc/proc"
            "${AXO_TARGET_DIR}/servers/memory/mm/mm"
            "${AXO_TARGET_DIR}/servers/drivers/ata/ata port=0x1f0-0x1f7 port=0x3f6 irq=14"
            "${AXO_TARGET_DIR}/servers/fs/fs"
            "${AXO_TARGET_DIR}/bench/guest/axo_bench_process on-exit=shutdown rounds=10 warmup=2"
    ICOUNT
    TIMEOUT 120
    NO_TAP
    QEMU_ARGS -drive file=${AXO_TARGET_DIR}/image/rootfs.img,format=raw,if=ide,index=0,snapshot=on
    EXPECT [[^BENCH process\.fork_exit_wait [1-9][0-9]* instructions\r?$]]
           [[^BENCH process\.fork_exec_wait [1-9][0-9]* instructions\r?$]]
           [[^BENCH signal\.self [1-9][0-9]* instructions\r?$]]
           [[proc: axo_bench_process ended.*: success]]
    LABELS bench)

# bench-smoke-fs: the file system's and the pipes' rows (bench/guest/fs_bench.c,
# bench/common/fs_ops.h), a libposix program beside mm and fs with no disk (the root is fs's
# tmpfs, so the sequential file is 1 MiB); every row present and positive, nothing more.
axo_qemu_test(NAME bench-smoke-fs
    CMDLINE "smallspaces=force"
    MODULES "${AXO_TARGET_DIR}/servers/memory/sigma0/sigma0 sigma0"
            "${AXO_TARGET_DIR}/servers/proc/proc"
            "${AXO_TARGET_DIR}/servers/memory/mm/mm"
            "${AXO_TARGET_DIR}/servers/fs/fs"
            "${AXO_TARGET_DIR}/bench/guest/axo_bench_fs on-exit=shutdown rounds=50 warmup=10 seq_rounds=1 seq_kib=1024 pipe_kib=64"
    ICOUNT
    TIMEOUT 120
    NO_TAP
    EXPECT [[^BENCH fs\.open_close [1-9][0-9]* instructions\r?$]]
           [[^BENCH fs\.stat [1-9][0-9]* instructions\r?$]]
           [[^BENCH fs\.stat\.missing [1-9][0-9]* instructions\r?$]]
           [[^BENCH fs\.pread\.4k [1-9][0-9]* instructions\r?$]]
           [[^BENCH fs\.write\.4k [1-9][0-9]* instructions\r?$]]
           [[^BENCH pipe\.roundtrip [1-9][0-9]* instructions\r?$]]
           [[^BENCH pipe\.throughput [1-9][0-9]* instructions\r?$]]
           [[^BENCH fs\.seq\.8mib [1-9][0-9]* instructions\r?$]]
           [[proc: axo_bench_fs ended.*: success]]
    LABELS bench)
