#!/usr/bin/env python3
"""Runs the Axolotl benchmark and its Linux baseline on the same QEMU; reports both.

    bench.py --build BUILD [--no-linux] [--wall-runs N] [--results-md PATH] [--chart PATH]

`./axo bench` builds the tree, installs what this needs (gnuplot-nox, cpio, libc6-dev-i386)
and runs it. What it does, in order:

 1. Axolotl (BUILD/target: kernel, σ0, bench/guest's axo_bench as the root task), booted with
    `smallspaces=force` (QEMU ignores segment limits, so small spaces are off otherwise):
    once under `-icount shift=0,sleep=off` (rdtsc = guest instructions, deterministic) and
    N times under plain TCG (rdtsc = the host's TSC; the minimum of the N runs, in ns).
    Then the same for page faults through mm: σ0, proc, mm and bench/guest's axo_bench_mm,
    a process proc starts (its exit ends the run); and for select on ready pipes: σ0, proc,
    mm, fs and bench/guest's axo_bench_select.
 2. Linux: Debian bookworm's i386 kernel (linux-image-6.1.0-*-686, fetched with apt-get
    download, unpacked into BUILD/bench/linux/<package>_<version>, cached by version), an
    initramfs with linux/linux_bench.c as /init (gcc -m32 -static), the same runs with
    `-cpu pentium2` (Linux 686 needs cmov).
 3. Prints `BENCH <name> <value> <unit>` per result (instructions and wall ns), writes
    BUILD/bench/results.json, bench/RESULTS.md and a PNG chart (gnuplot, if installed).

Both systems boot with the same QEMU flags: -m 256 -cpu pentium2, serial console to a file,
isa-debug-exit. Results that a system cannot measure yet are reported as not measurable,
with the guest's reason, never estimated.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.dont_write_bytecode = True  # keep the source tree clean

SOURCE = Path(__file__).resolve().parent.parent
QEMU = "qemu-system-i386"
QEMU_COMMON = ["-m", "256", "-cpu", "pentium2", "-display", "none", "-no-reboot",
               "-monitor", "none", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
ICOUNT = ["-icount", "shift=0,sleep=off"]
QEMU_EXIT_DONE = 33  # isa-debug-exit with 0x10: both guests end this way on success
AXOLOTL_CMDLINE = "smallspaces=force"
LINUX_CMDLINE = "console=ttyS0 quiet"
LINUX_META_PACKAGE = "linux-image-686:i386"
LINUX_PACKAGE_RE = re.compile(r"^linux-image-6\.1\.0-\d+-686$")
BENCH_RE = re.compile(r"^BENCH (\S+) (\d+(?:\.\d+)?) (\S+)\s*$")
SKIP_RE = re.compile(r"^BENCH-SKIP (\S+) (.*?)\s*$")

# Each Axolotl operation beside the Linux operation it is compared with (None: no analogue).
# A one-way IPC and the null syscall are held against Linux's cheapest system call; round
# trips between threads against a futex hand-over between threads, between spaces against a
# pipe between processes.
COMPARISONS = [
    ("syscall.null", "linux.getppid"),
    ("ipc.oneway.intra", "linux.getppid"),
    ("ipc.oneway.large", "linux.getppid"),
    ("ipc.oneway.small", "linux.getppid"),
    ("ipc.roundtrip.intra", "linux.futex.roundtrip"),
    ("ipc.roundtrip.large", "linux.pipe.roundtrip"),
    ("ipc.roundtrip.small", "linux.pipe.roundtrip"),
    ("ipc.roundtrip.large.words8", "linux.pipe.roundtrip"),
    ("ipc.roundtrip.large.words64", "linux.pipe.roundtrip"),
    ("ipc.map.page", None),
    ("pagefault.roundtrip", None),
    ("notify.wake", None),
    ("pagefault.mm.anon", "linux.pagefault.anon"),
    ("pagefault.mm.external", "linux.pagefault.anon"),
    ("mmap.touch.1mib", "linux.mmap.touch.1mib"),
    ("cr3.per_roundtrip.large", None),
    ("cr3.per_roundtrip.small", None),
    ("cr3.per_fault.mm.anon", None),
    ("cr3.per_call.pci", None),
    ("cr3.per_call.fs", None),
    ("cr3.per_call.mm", None),
    ("cr3.per_call.pci.default", None),
    ("cr3.per_call.fs.default", None),
    ("cr3.per_call.mm.default", None),
    ("call.pci", None),
    ("call.pci.default", None),
    ("call.fs", None),
    ("call.fs.default", None),
    ("call.mm", None),
    ("call.mm.default", None),
    ("boot.to_shell", "linux.boot.to_init"),
    ("process.fork_exit_wait", "linux.process.fork_exit_wait"),
    ("process.fork_exec_wait", "linux.process.fork_exec_wait"),
    ("signal.self", "linux.signal.self"),
    ("fs.open_close", "linux.fs.open_close"),
    ("fs.stat", "linux.fs.stat"),
    ("fs.stat.missing", "linux.fs.stat.missing"),
    ("fs.pread.4k", "linux.fs.pread.4k"),
    ("fs.write.4k", "linux.fs.write.4k"),
    ("fs.seq.8mib", "linux.fs.seq.8mib"),
    ("fs.seq.8mib.write", "linux.fs.seq.8mib.write"),
    ("fs.seq.8mib.read", "linux.fs.seq.8mib.read"),
    ("pipe.roundtrip", "linux.pipe.roundtrip"),
    ("pipe.throughput", "linux.pipe.throughput"),
]


def say(text: str) -> None:
    print(f"bench: {text}", file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


@dataclass
class Run:
    """The BENCH lines of one boot: name -> (value, unit); name -> reason."""
    values: dict[str, tuple[float, str]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)


def parse(log: str) -> Run:
    run = Run()
    for line in log.splitlines():
        line = line.rstrip("\r")
        if m := BENCH_RE.match(line):
            run.values[m.group(1)] = (float(m.group(2)), m.group(3))
        elif m := SKIP_RE.match(line):
            run.skipped[m.group(1)] = m.group(2)
    return run


def boot(qemu_args: list[str], timeout: float, what: str) -> Run:
    """Boots QEMU with the serial console in a file; the guest must leave with status 33."""
    with tempfile.TemporaryDirectory(prefix="axo-bench-") as tmp:
        serial = Path(tmp) / "serial.log"
        cmd = [QEMU, *QEMU_COMMON, "-serial", f"file:{serial}", *qemu_args]
        try:
            proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  timeout=timeout, text=True)
            status = proc.returncode
            output = proc.stdout
        except subprocess.TimeoutExpired:
            status, output = None, ""
        log = serial.read_text(errors="replace") if serial.exists() else ""
    if status != QEMU_EXIT_DONE:
        tail = "\n".join(log.splitlines()[-30:])
        why = f"timed out after {timeout:g} s" if status is None else f"QEMU exit status {status}"
        raise BenchError(f"{what}: {why}\n--- serial log (tail) ---\n{tail}\n{output}")
    return parse(log)


# ---- Axolotl ------------------------------------------------------------------------------------

def axolotl_args(target: Path, wall: bool) -> list[str]:
    kernel = target / "kernel" / "kernel.elf"
    sigma0 = target / "servers" / "memory" / "sigma0" / "sigma0"
    bench = target / "bench" / "guest" / "axo_bench"
    for f in (kernel, sigma0, bench):
        if not f.exists():
            raise BenchError(f"{f} is missing: build first (./axo build)")
    modules = f"{sigma0} sigma0,{bench} axo_bench" + (" mode=wall" if wall else "")
    return ["-kernel", str(kernel), "-append", AXOLOTL_CMDLINE, "-initrd", modules]


ATA_MODULE_ARGS = "port=0x1f0-0x1f7 port=0x3f6 irq=14"


def axolotl_process_args(target: Path, program: str, wall: bool,
                         with_fs: bool = False, disk: Path | None = None) -> list[str]:
    """σ0, proc, mm (and fs if `with_fs`; with the ATA driver and `disk` as its root if a disk
    is given) and the benchmark `program` of bench/guest, an ordinary process proc starts; its
    exit ends the run."""
    kernel = target / "kernel" / "kernel.elf"
    servers = [target / "servers" / "proc" / "proc", target / "servers" / "memory" / "mm" / "mm"]
    if disk is not None:
        servers.append(target / "servers" / "drivers" / "ata" / "ata")
    if with_fs or disk is not None:
        servers.append(target / "servers" / "fs" / "fs")
    sigma0 = target / "servers" / "memory" / "sigma0" / "sigma0"
    bench = target / "bench" / "guest" / program
    for f in (kernel, sigma0, *servers, bench):
        if not f.exists():
            raise BenchError(f"{f} is missing: build first (./axo build)")
    lines = [f"{s} {ATA_MODULE_ARGS}" if s.name == "ata" else str(s) for s in servers]
    modules = (",".join([f"{sigma0} sigma0", *lines, f"{bench} on-exit=shutdown"]) +
               (" wall" if wall else ""))
    drive = ["-drive", f"file={disk},format=raw,if=ide,index=0"] if disk is not None else []
    return ["-kernel", str(kernel), "-append", AXOLOTL_CMDLINE, "-initrd", modules, *drive]


def axolotl_mm_args(target: Path, wall: bool) -> list[str]:
    """axo_bench_mm: page faults of an ordinary process through mm."""
    return axolotl_process_args(target, "axo_bench_mm", wall)


def axolotl_select_args(target: Path, wall: bool) -> list[str]:
    """axo_bench_select, with fs: select on ready pipes through libposix and fs."""
    return axolotl_process_args(target, "axo_bench_select", wall, with_fs=True)


def axolotl_mmap_args(target: Path, wall: bool) -> list[str]:
    """axo_bench_mmap: libposix's mmap of 1 MiB touched page by page."""
    return axolotl_process_args(target, "axo_bench_mmap", wall)


def axolotl_servers_args(target: Path, wall: bool, forced: bool) -> list[str]:
    """small_servers_test (tests/guest/small_servers), a large program calling pci, fs and mm:
    with small spaces forced on (pci and fs small) or off (the default on QEMU: all large)."""
    kernel = target / "kernel" / "kernel.elf"
    sigma0 = target / "servers" / "memory" / "sigma0" / "sigma0"
    servers = [target / "servers" / "proc" / "proc", target / "servers" / "memory" / "mm" / "mm"]
    pci = target / "servers" / "drivers" / "pci" / "pci"
    fs = target / "servers" / "fs" / "fs"
    program = target / "tests" / "guest" / "small_servers" / "small_servers_test"
    for f in (kernel, sigma0, *servers, pci, fs, program):
        if not f.exists():
            raise BenchError(f"{f} is missing: build first (./axo build)")
    modules = ",".join([f"{sigma0} sigma0", *map(str, servers),
                        f"{pci} port=0xcf8-0xcff on-exit=restart", str(fs),
                        f"{program} on-exit=shutdown {'forced' if forced else 'off'}"])
    cmdline = AXOLOTL_CMDLINE if forced else ""
    return ["-kernel", str(kernel), "-append", cmdline, "-initrd", modules]


def process_rootfs(build: Path) -> Path:
    """A copy of the root file system the build made, whose /bin/true is bench/guest/true.c
    (axo_bench_true), the source of Linux's /bin/true too: made anew for every bench.py run."""
    target = build / "target"
    image = target / "image" / "rootfs.img"
    program = target / "bench" / "guest" / "axo_bench_true"
    for f in (image, program):
        if not f.exists():
            raise BenchError(f"{f} is missing: build first (./axo build)")
    disk = build / "bench" / "process-rootfs.img"
    shutil.copyfile(image, disk)
    script = build / "bench" / "process-rootfs.debugfs"
    script.write_text(f"rm /bin/true\nwrite {program} /bin/true\n"
                      "sif /bin/true mode 0100755\nsif /bin/true uid 0\nsif /bin/true gid 0\n")
    run(["debugfs", "-w", "-f", str(script), str(disk)], stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    return disk


def axolotl_process_bench_args(build: Path, wall: bool, disk: list[Path]) -> list[str]:
    """axo_bench_process: fork+exit+wait, fork+exec+wait of /bin/true, a signal to self; the
    disk (process_rootfs) is made at the first boot of the run and kept for the others."""
    if not disk:
        disk.append(process_rootfs(build))
    return axolotl_process_args(build / "target", "axo_bench_process", wall, disk=disk[0])


def axolotl_fs_args(target: Path, out: Path, wall: bool) -> list[str]:
    """axo_bench_fs: the file system's and the pipes' rows, with fs's root on a fresh 64 MiB
    ext2 image (mke2fs, 4 KiB blocks) on the ATA disk; σ0, proc, mm, the ATA driver, fs."""
    kernel = target / "kernel" / "kernel.elf"
    sigma0 = target / "servers" / "memory" / "sigma0" / "sigma0"
    files = [target / "servers" / "proc" / "proc", target / "servers" / "memory" / "mm" / "mm",
             target / "servers" / "drivers" / "ata" / "ata", target / "servers" / "fs" / "fs",
             target / "bench" / "guest" / "axo_bench_fs"]
    for f in (kernel, sigma0, *files):
        if not f.exists():
            raise BenchError(f"{f} is missing: build first (./axo build)")
    disk = out / "fs-bench.img"
    disk.unlink(missing_ok=True)
    run(["mke2fs", "-q", "-F", "-t", "ext2", "-b", "4096", "-L", "fs-bench", str(disk), "64M"],
        stdout=subprocess.DEVNULL)
    proc_, mm, ata, fs, bench = map(str, files)
    modules = ",".join([f"{sigma0} sigma0", proc_, mm,
                        f"{ata} port=0x1f0-0x1f7 port=0x3f6 irq=14", fs,
                        f"{bench} on-exit=shutdown" + (" wall" if wall else "")])
    return ["-kernel", str(kernel), "-append", AXOLOTL_CMDLINE, "-initrd", modules,
            "-drive", f"file={disk},format=raw,if=ide,index=0"]


# ---- boot to the shell ----------------------------------------------------------------------

BOOT_PROBE_RE = re.compile(r"^BOOT-PROBE (\d+) (\d+)\s*$", re.M)


def boot_to_shell(build: Path, timeout: float) -> dict[str, Result]:
    """The default system (image/boot.conf, the root file system the build made) under -icount
    until its login shell prompts: guest/boot_probe.c, run twice from the end of /etc/profile
    of a copy of the image, prints rdtsc and the kernel's idle cycles (README.md, boot.to_shell):
    the total, how much of it the system was idle (halted, the time skipped at once), and the
    difference, the instructions executed."""
    target = build / "target"
    image = target / "image" / "rootfs.img"
    probe = target / "bench" / "guest" / "axo_boot_probe"
    for f in (target / "kernel" / "kernel.elf", image, probe):
        if not f.exists():
            raise BenchError(f"{f} is missing: build first (./axo build)")
    say("axolotl: boot to the shell's prompt (-icount shift=0,sleep=off)")
    with tempfile.TemporaryDirectory(prefix="axo-bench-boot-") as tmp:
        tmp = Path(tmp)
        disk = tmp / "rootfs.img"
        shutil.copyfile(image, disk)
        profile = tmp / "profile"
        profile.write_text((SOURCE / "image" / "rootfs" / "etc" / "profile").read_text() +
                           "/usr/bin/axo-boot-probe\n/usr/bin/axo-boot-probe\n")
        script = tmp / "debugfs.cmds"
        script.write_text(f"rm /etc/profile\nwrite {profile} /etc/profile\n"
                          f"write {probe} /usr/bin/axo-boot-probe\n")
        run(["debugfs", "-w", "-f", str(script), str(disk)], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        # The modules of the default system; short links, since the KIP keeps only the first
        # 119 bytes of a module's line (tests/system/qemu_run.py does the same).
        modules = []
        for i, line in enumerate((SOURCE / "image" / "boot.conf").read_text().splitlines()):
            words = line.split("#", 1)[0].split()
            if not words or not (target / words[0]).exists():
                continue
            link = tmp / f"m{i}" / Path(words[0]).name
            link.parent.mkdir()
            link.symlink_to(target / words[0])
            modules.append(" ".join([str(link), *words[1:]]))
        serial = tmp / "serial.log"
        cmd = [QEMU, *QEMU_COMMON, *ICOUNT, "-serial", f"file:{serial}",
               "-kernel", str(target / "kernel" / "kernel.elf"), "-append", "",
               "-initrd", ",".join(modules),
               "-drive", f"file={disk},format=raw,if=ide,index=0",
               "-netdev", "user,id=net0,restrict=on", "-device", "e1000,netdev=net0"]
        qemu = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        values: list[int] = []
        idle: list[int] = []
        try:
            while len(values) < 2 and time.monotonic() < deadline and qemu.poll() is None:
                time.sleep(0.2)
                log = serial.read_text(errors="replace") if serial.exists() else ""
                found = BOOT_PROBE_RE.findall(log)
                values = [int(v) for v, _ in found]
                idle = [int(i) for _, i in found]
        finally:
            qemu.kill()
            qemu.wait()
        if len(values) < 2:
            tail = "\n".join(log.splitlines()[-30:])
            raise BenchError(f"boot to the shell: no two BOOT-PROBE lines within {timeout:g} s"
                             f"\n--- serial log (tail) ---\n{tail}")
    return {"boot.to_shell": Result("boot.to_shell", "axolotl", values[0]),
            "boot.to_shell.idle": Result("boot.to_shell.idle", "axolotl", idle[0]),
            "boot.to_shell.executed": Result("boot.to_shell.executed", "axolotl",
                                             values[0] - idle[0]),
            "boot.to_shell.probe": Result("boot.to_shell.probe", "axolotl", values[1] - values[0])}


# ---- Linux --------------------------------------------------------------------------------------

def as_root(cmd: list[str]) -> list[str]:
    return cmd if os.geteuid() == 0 else ["sudo", *cmd]


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, text=True, **kwargs)


def linux_package() -> tuple[str, str] | None:
    """(package, version) of the 686 kernel the archive offers, or None if apt cannot say."""
    try:
        show = run(["apt-cache", "show", "--no-all-versions", LINUX_META_PACKAGE],
                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
    except subprocess.CalledProcessError:
        return None
    depends = re.search(r"^Depends: (.*)$", show, re.M)
    for item in (depends.group(1).split(",") if depends else []):
        name = item.strip().split()[0].split(":")[0]
        if LINUX_PACKAGE_RE.match(name):
            policy = run(["apt-cache", "policy", f"{name}:i386"], stdout=subprocess.PIPE).stdout
            version = re.search(r"Candidate: (\S+)", policy)
            if version and version.group(1) != "(none)":
                return name, version.group(1)
    return None


def ensure_i386_archive() -> None:
    foreign = run(["dpkg", "--print-foreign-architectures"], stdout=subprocess.PIPE).stdout.split()
    if "i386" in foreign and linux_package():
        return
    if "i386" not in foreign:
        say("adding the i386 architecture to dpkg (the 686 kernel package is i386-only)")
        run(as_root(["dpkg", "--add-architecture", "i386"]))
    say("apt-get update")
    # A mirror being synced can fail one index (security) while the main one is fine.
    if subprocess.run(as_root(["apt-get", "update", "-qq"])).returncode != 0:
        say("apt-get update reported errors; going on with the indexes it got")


def fetch_linux(cache: Path) -> tuple[Path, str]:
    """The vmlinuz of Debian's 686 kernel, downloaded once per version. Returns (path, label)."""
    ensure_i386_archive()
    found = linux_package()
    if found is None:
        cached = sorted(cache.glob("linux-image-*/boot/vmlinuz-*"))
        if not cached:
            raise BenchError("apt knows no linux-image-6.1.0-*-686 package and nothing is cached")
        say("apt cannot name the kernel package; using the cached one")
        return cached[-1], cached[-1].parent.parent.name
    package, version = found
    unpacked = cache / f"{package}_{version}"
    kernels = sorted(unpacked.glob("boot/vmlinuz-*"))
    if not kernels:
        say(f"downloading {package} {version} (i386)")
        with tempfile.TemporaryDirectory(prefix="axo-bench-deb-") as tmp:
            # apt downloads as the user _apt, which must be able to write here.
            os.chmod(tmp, 0o777)
            run(["apt-get", "download", "-qq", f"{package}:i386={version}"], cwd=tmp)
            deb = next(Path(tmp).glob("*.deb"))
            shutil.rmtree(unpacked, ignore_errors=True)
            unpacked.mkdir(parents=True)
            run(["dpkg-deb", "-x", str(deb), str(unpacked)])
        kernels = sorted(unpacked.glob("boot/vmlinuz-*"))
        if not kernels:
            raise BenchError(f"{package} {version} holds no boot/vmlinuz-*")
    return kernels[0], f"{package} {version}"


def build_initramfs(out: Path) -> Path:
    """linux/linux_bench.c, static, as /init of a newc cpio archive."""
    root = out / "initramfs"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    run(["gcc", "-m32", "-static", "-pthread", "-O2", "-Wall", "-o", str(root / "init"),
         str(SOURCE / "bench" / "linux" / "linux_bench.c")])
    # process.fork_exec_wait's program: the same source as Axolotl's /bin/true.
    (root / "bin").mkdir()
    run(["gcc", "-m32", "-static", "-O2", "-Wall", "-o", str(root / "bin" / "true"),
         str(SOURCE / "bench" / "guest" / "true.c")])
    archive = out / "initramfs.cpio"
    with open(archive, "wb") as f:
        subprocess.run(["cpio", "-o", "-H", "newc", "--quiet"], input=b"init\nbin\nbin/true\n",
                       stdout=f, cwd=root, check=True)
    return archive


def linux_args(kernel: Path, initramfs: Path, wall: bool) -> list[str]:
    append = LINUX_CMDLINE + (" mode=wall" if wall else "")
    return ["-kernel", str(kernel), "-initrd", str(initramfs), "-append", append]


# ---- the host's TSC -----------------------------------------------------------------------------

TSC_RATE_C = r"""
#include <stdio.h>
#include <time.h>
#include <x86intrin.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t);
                          return t.tv_sec * 1e9 + t.tv_nsec; }
int main(void) {
    double best = 0;
    for (int i = 0; i < 3; ++i) {
        double a = now(); unsigned long long t0 = __rdtsc();
        while (now() - a < 1e8) {}
        unsigned long long t1 = __rdtsc(); double b = now();
        double rate = (t1 - t0) / (b - a);
        if (i == 0 || rate < best) best = rate;
    }
    printf("%.6f\n", best);
    return 0;
}
"""


def host_tsc_per_ns(out: Path) -> float:
    """TCG's rdtsc reads the host's TSC: its rate turns wall-mode deltas into nanoseconds."""
    src, exe = out / "tsc_rate.c", out / "tsc_rate"
    src.write_text(TSC_RATE_C)
    run(["gcc", "-O2", "-o", str(exe), str(src)])
    return float(run([str(exe)], stdout=subprocess.PIPE).stdout)


# ---- running both --------------------------------------------------------------------------------

@dataclass
class Result:
    name: str
    system: str
    value: float | None = None  # under -icount: instructions, or a count per round trip
    unit: str = "instructions"
    wall_ns: float | None = None  # plain TCG, for results in instructions
    skipped: str | None = None  # why the guest could not measure it


def measure(system: str, make_args, runs: int, timeout: float, tsc_per_ns: float) -> dict[str, Result]:
    say(f"{system}: instruction counts (-icount shift=0,sleep=off)")
    counted = boot(make_args(False) + ICOUNT, timeout, f"{system} (icount)")
    walls: list[Run] = []
    for i in range(runs):
        say(f"{system}: wall time, run {i + 1} of {runs} (plain TCG)")
        walls.append(boot(make_args(True), timeout, f"{system} (wall run {i + 1})"))
    results: dict[str, Result] = {}
    for name, (value, unit) in counted.values.items():
        r = Result(name, system, value, unit)
        if unit == "instructions":
            ticks = [w.values[name][0] for w in walls if name in w.values]
            if ticks:
                r.wall_ns = min(ticks) / tsc_per_ns
        results[name] = r
    for name, reason in counted.skipped.items():
        results[name] = Result(name, system, skipped=reason)
    return results


def fmt(value: float | None, decimals: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value:,.{decimals}f}"


def targets(results: dict[str, Result]) -> list[tuple[str, str, str]]:
    """(target, measured, verdict) for the benchmark's targets."""
    def value(name):
        r = results.get(name)
        return None if r is None or r.skipped else r.value

    def reason(name):
        r = results.get(name)
        return r.skipped if r is not None and r.skipped else "not measured"

    rows = []
    for name in ("ipc.oneway.large", "ipc.oneway.small"):  # what one inside a space costs
        v = value(name)
        rows.append((f"`{name}` ≤ 80 instructions",
                     fmt(v) if v is not None else reason(name),
                     "—" if v is None else ("met" if v <= 80 else "missed")))
    rt, getppid = value("ipc.roundtrip.large"), value("linux.getppid")
    rows.append(("`ipc.roundtrip.large` < `linux.getppid`",
                 f"{fmt(rt)} vs {fmt(getppid)}",
                 "—" if rt is None or getppid is None else ("met" if rt < getppid else "missed")))
    for name, bound in (("ipc.roundtrip.large.words8", 260), ("ipc.roundtrip.large.words64", 700)):
        v = value(name)
        rows.append((f"`{name}` ≤ {bound} instructions",
                     fmt(v) if v is not None else reason(name),
                     "—" if v is None else ("met" if v <= bound else "missed")))
    # Mappings and faults; the zero fill's bound is what Linux 6.1 spent per first-touched
    # anonymous page when the target was set (linux.pagefault.anon is measured beside it).
    for name, bound in (("ipc.map.page", 800), ("pagefault.roundtrip", 1200),
                        ("pagefault.mm.anon", 3666), ("mmap.touch.1mib", 3666)):
        v = value(name)
        rows.append((f"`{name}` ≤ {fmt(bound)} instructions",
                     fmt(v) if v is not None else reason(name),
                     "—" if v is None else ("met" if v <= bound else "missed")))
    for name in ("boot.to_shell", "boot.to_shell.executed"):
        boot = value(name)
        rows.append((f"`{name}` < 50 M instructions",
                     fmt(boot) if boot is not None else reason(name),
                     "—" if boot is None else ("met" if boot < 50e6 else "missed")))
    for n in ("1", "8"):
        ours, theirs = value(f"select.ready.{n}"), value(f"linux.select.ready.{n}")
        rows.append((f"`select.ready.{n}` ≤ `linux.select.ready.{n}`",
                     f"{fmt(ours)} vs {fmt(theirs)}" if ours is not None else
                     reason(f"select.ready.{n}"),
                     "—" if ours is None or theirs is None else
                     ("met" if ours <= theirs else "missed")))
    # Processes: fork+exit+wait and fork+exec+wait at most half of Linux's instructions in the
    # same run, a signal to self at most Linux's.
    for name, share, words in (("process.fork_exit_wait", 0.5, "half of"),
                               ("process.fork_exec_wait", 0.5, "half of"),
                               ("signal.self", 1.0, "")):
        ours, theirs = value(name), value(f"linux.{name}")
        rows.append((f"`{name}` ≤ {words + ' ' if words else ''}`linux.{name}`",
                     f"{fmt(ours)} vs {fmt(theirs)}" if ours is not None else reason(name),
                     "—" if ours is None or theirs is None else
                     ("met" if ours <= share * theirs else "missed")))
    # The file system and the pipes (issue's goals, Linux 6.1 on the same QEMU): the path
    # operations and the pipe round trip at most a quarter of Linux's, the data paths at most
    # Linux's (per KiB where the row is).
    for name, share in (("fs.open_close", 0.25), ("fs.stat", 0.25), ("fs.stat.missing", 0.25),
                        ("pipe.roundtrip", 0.25), ("fs.pread.4k", 1), ("fs.write.4k", 1),
                        ("fs.seq.8mib", 1), ("pipe.throughput", 1)):
        ours, theirs = value(name), value(f"linux.{name}")
        rows.append((f"`{name}` {'≤ ¼ ×' if share < 1 else '≤'} `linux.{name}`",
                     f"{fmt(ours)} vs {fmt(theirs)}" if ours is not None else reason(name),
                     "—" if ours is None or theirs is None else
                     ("met" if ours <= share * theirs else "missed")))
    cr3 = value("cr3.per_roundtrip.small")
    rows.append(("`cr3.per_roundtrip.small` = 0", fmt(cr3, 2) if cr3 is not None else
                 reason("cr3.per_roundtrip.small"),
                 "—" if cr3 is None else ("met" if cr3 == 0 else "missed")))
    return rows


def write_markdown(path: Path, results: dict[str, Result], meta: dict, chart: Path | None,
                   profile: str | None) -> None:
    lines = [
        "# Benchmark results",
        "",
        "Generated by `./axo bench` (bench/bench.py); do not edit by hand. What is measured and",
        "how: [README.md](README.md).",
        "",
        f"- date: {meta['date']}; source {meta['source']}; {meta['qemu']}; "
        f"host TSC {meta['host_tsc_mhz']:.0f} MHz",
        f"- Axolotl: kernel command line `{AXOLOTL_CMDLINE}`; Linux baseline: "
        f"{meta['linux'] or 'not run'}",
        f"- instructions: one run under `-icount shift=0,sleep=off` (rdtsc counts guest "
        f"instructions; deterministic), the median of {meta['rounds']} rounds",
        f"- wall ns: plain TCG, the minimum over {meta['wall_runs']} runs of each run's median; "
        "noisy, and the only place where address-space switches show (QEMU flushes its "
        "software TLB on every CR3 write)",
        "",
        "| operation | Axolotl instructions | Linux baseline | Linux instructions | ratio | "
        "Axolotl wall ns | Linux wall ns |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    for name, baseline in COMPARISONS:
        a = results.get(name)
        l = results.get(baseline) if baseline else None
        if a is None:
            continue
        if a.skipped:
            lines.append(f"| `{name}` | not measurable yet: {a.skipped} | "
                         f"{'`' + baseline + '`' if baseline else '—'} | "
                         f"{fmt(l.value) if l and not l.skipped else '—'} | — | — | "
                         f"{fmt(l.wall_ns) if l and not l.skipped else '—'} |")
            continue
        is_count = a.unit == "instructions"
        a_value = fmt(a.value) if is_count else f"{a.value:.2f} {a.unit}"
        ratio = "—"
        if l and not l.skipped and l.value and is_count:
            ratio = f"{a.value / l.value:.2f}"
        lines.append(
            f"| `{name}` | {a_value} | {'`' + baseline + '`' if baseline else '—'} | "
            f"{fmt(l.value) if l and not l.skipped else '—'} | {ratio} | "
            f"{fmt(a.wall_ns)} | {fmt(l.wall_ns) if l and not l.skipped else '—'} |")
    lines += ["", "## Every result", "",
              "| result | instructions (or unit) | wall ns |", "|---|---:|---:|"]
    for name in sorted(results):
        r = results[name]
        if r.skipped:
            lines.append(f"| `{name}` | not measurable yet: {r.skipped} | — |")
        else:
            value = fmt(r.value) if r.unit == "instructions" else f"{r.value:.2f} {r.unit}"
            lines.append(f"| `{name}` | {value} | {fmt(r.wall_ns)} |")
    lines += ["", "## Targets", "", "| target | measured | |", "|---|---|---|"]
    lines += [f"| {t} | {m} | {v} |" for t, m, v in targets(results)]
    if profile:
        lines += ["", "## Where the instructions go", "",
                  "`bench/profile.py`: every result's median round, traced instruction by "
                  "instruction and summed by part (README.md, Profiling).", "",
                  profile.rstrip()]
    if chart is not None:
        lines += ["", f"![Axolotl and Linux, guest instructions]({chart.name})"]
    path.write_text("\n".join(lines) + "\n")


def write_chart(path: Path, results: dict[str, Result], work: Path) -> bool:
    """A clustered bar chart (log scale) of instructions: Axolotl beside its Linux baseline."""
    gnuplot = shutil.which("gnuplot")
    if gnuplot is None:
        say("gnuplot not found: no chart (apt-get install gnuplot-nox)")
        return False
    rows = []
    for name, baseline in COMPARISONS:
        a = results.get(name)
        if a is None or a.skipped or a.unit != "instructions" or baseline is None:
            continue
        l = results.get(baseline)
        lv = l.value if l and not l.skipped else None
        rows.append(f'"{name}\\n vs {baseline}" {a.value:.0f} {lv if lv else "NaN"}')
    if not rows:
        return False
    has_linux = any(not row.endswith(" NaN") for row in rows)
    data = work / "chart.dat"
    data.write_text("\n".join(rows) + "\n")
    # gnuplot refuses a histogram column without a single point: no Linux run, no Linux bars.
    linux_series = (', "" using 3 title "Linux 6.1 (686) baseline" lc rgb "#e76f51"'
                    if has_linux else "")
    script = f"""
set terminal pngcairo size 1100,560 font ",10" noenhanced
set output "{path}"
set title "Guest instructions per operation (QEMU -icount; lower is better; log scale)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set logscale y
set yrange [10:*]
set grid ytics
set ylabel "instructions"
set xtics rotate by -30 scale 0
set key top left
plot "{data}" using 2:xtic(1) title "Axolotl" lc rgb "#2a9d8f"{linux_series}
"""
    proc = subprocess.run([gnuplot], input=script, text=True, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        # Debian's gnuplot-nox has pngcairo; an older build may only have png.
        script = script.replace("pngcairo size 1100,560 font \",10\"", "png size 1100,560")
        proc = subprocess.run([gnuplot], input=script, text=True, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        say(f"gnuplot failed: {proc.stderr.strip()}")
        return False
    return True


def source_version() -> str:
    """The commit measured (with `+changes` when the tree differs from it), if in git."""
    try:
        commit = run(["git", "-C", str(SOURCE), "rev-parse", "--short", "HEAD"],
                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.strip()
        dirty = run(["git", "-C", str(SOURCE), "status", "--porcelain", "--untracked-files=no"],
                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.strip()
    except (subprocess.CalledProcessError, FileNotFoundError):
        return "not a git checkout"
    return commit + ("+changes" if dirty else "")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", type=Path, required=True, help="the build directory (host tree)")
    p.add_argument("--no-linux", action="store_true", help="skip the Linux baseline")
    p.add_argument("--wall-runs", type=int, default=5, help="plain TCG runs per system (min taken)")
    p.add_argument("--results-md", type=Path, default=SOURCE / "bench" / "RESULTS.md")
    p.add_argument("--chart", type=Path, default=SOURCE / "bench" / "results.png")
    p.add_argument("--only", metavar="GROUP[,GROUP]",
                   help="measure only these Axolotl boots (ipc, mm, select, mmap, process, fs, servers, "
                        "servers-default, boot); "
                        "Linux's rows still all run unless --no-linux")
    p.add_argument("--no-profile", action="store_true",
                   help="skip profile.py's table of where the instructions go")
    args = p.parse_args()

    if shutil.which(QEMU) is None:
        raise BenchError(f"{QEMU} not found (./axo deps)")
    out = args.build / "bench"
    out.mkdir(parents=True, exist_ok=True)
    tsc_per_ns = host_tsc_per_ns(out)
    say(f"host TSC: {tsc_per_ns * 1000:.0f} MHz")

    target = args.build / "target"
    process_disk: list[Path] = []
    groups = {
        "ipc": (lambda wall: axolotl_args(target, wall), 120),
        "mm": (lambda wall: axolotl_mm_args(target, wall), 120),
        "select": (lambda wall: axolotl_select_args(target, wall), 180),
        "mmap": (lambda wall: axolotl_mmap_args(target, wall), 120),
        "process": (lambda wall: axolotl_process_bench_args(args.build, wall, process_disk), 300),
        "fs": (lambda wall: axolotl_fs_args(target, out, wall), 600),
        "servers": (lambda wall: axolotl_servers_args(target, wall, True), 180),
        "servers-default": (lambda wall: axolotl_servers_args(target, wall, False), 180),
    }
    chosen = args.only.split(",") if args.only else [*groups, "boot"]
    unknown = [g for g in chosen if g not in groups and g != "boot"]
    if unknown:
        raise BenchError(f"--only: unknown group(s) {', '.join(unknown)}; "
                         f"known: {', '.join([*groups, 'boot'])}")
    results = {}
    for name in chosen:
        if name in groups:
            make_args, timeout = groups[name]
            results.update(measure("axolotl", make_args, args.wall_runs, timeout, tsc_per_ns))
    if "boot" in chosen:
        results.update(boot_to_shell(args.build, 300))
    linux_label = None
    if not args.no_linux:
        kernel, linux_label = fetch_linux(out / "linux")
        initramfs = build_initramfs(out / "linux")
        results.update(measure("linux", lambda wall: linux_args(kernel, initramfs, wall),
                               args.wall_runs, 600, tsc_per_ns))

    for name in sorted(results, key=lambda n: (results[n].system, n)):
        r = results[name]
        if r.skipped:
            print(f"BENCH-SKIP {name} {r.skipped}")
            continue
        value = f"{r.value:.0f}" if r.unit == "instructions" else f"{r.value:.2f}"
        print(f"BENCH {name} {value} {r.unit}")
        if r.wall_ns is not None:
            print(f"BENCH {name} {r.wall_ns:.0f} ns")

    meta = {
        "date": datetime.date.today().isoformat(),
        "source": source_version(),
        "qemu": run([QEMU, "--version"], stdout=subprocess.PIPE).stdout.splitlines()[0],
        "host_tsc_mhz": tsc_per_ns * 1000,
        "linux": linux_label,
        "rounds": 1000,
        "wall_runs": args.wall_runs,
        "axolotl_cmdline": AXOLOTL_CMDLINE,
        "qemu_flags": QEMU_COMMON,
    }
    (out / "results.json").write_text(json.dumps({
        "meta": meta,
        "results": [vars(results[n]) for n in sorted(results)],
        "targets": [{"target": t, "measured": m, "verdict": v} for t, m, v in targets(results)],
    }, indent=2) + "\n")
    chart = args.chart if write_chart(args.chart, results, out) else None
    profile = None
    if not args.no_profile:
        say("profile.py: tracing every executed instruction (a few minutes)")
        table = out / "profile.md"
        table.unlink(missing_ok=True)
        subprocess.run([sys.executable, str(SOURCE / "bench" / "profile.py"), "--build",
                        str(args.build), "--markdown", str(table)], check=False)
        profile = table.read_text() if table.exists() else None
    write_markdown(args.results_md, results, meta, chart, profile)
    say(f"wrote {out / 'results.json'}, {args.results_md}" + (f", {chart}" if chart else ""))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        print(f"bench: error: {e}", file=sys.stderr)
        sys.exit(1)
    except subprocess.CalledProcessError as e:
        print(f"bench: error: {' '.join(map(str, e.cmd))} failed with status {e.returncode}",
              file=sys.stderr)
        sys.exit(1)
