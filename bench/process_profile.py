#!/usr/bin/env python3
"""Where the instructions of the process rows go, program by program and function by function.

    process_profile.py --build BUILD [--reuse] [--top N]

Boots the process benchmark (bench.py's group "process": σ0, proc, mm, the ATA driver, fs and
bench/guest's axo_bench_process on a copy of the root file system whose /bin/true is
guest/true.c) with `rounds=3 warmup=1` under -icount, QEMU logging every translated block
(-d in_asm) and every block executed (-d exec,nochain) into BUILD/bench/process-trace.log.

Every server, driver and program is linked at the same address (0x400000), so an address
alone does not say whose code ran. A translated block does: QEMU tags blocks by physical
address, and each execution names its block by the host address of its translation (the
`Trace` line). The bytes the block's translation shows (-d in_asm) are compared with each
program's image at those addresses; the program whose bytes match owns the block (a program
and its forked child share their code: they are one program here). Kernel addresses
(0xe0000000 and above) are the kernel's.

A measurement is the stream of instructions between two rdtsc of axo_bench_process: for each
pair of rdtsc sites (a row's start and end) the round with the median count is shown, by
program and by the functions that ran most. The counts are the trace's: a faulting
instruction counts once more than it ran, and QEMU's own counter differs a little (profile.py).
"""

from __future__ import annotations

import argparse
import bisect
import collections
import re
import struct
import subprocess
import sys
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402

KERNEL_BASE = 0xE0000000
TRACE_RE = re.compile(r"^Trace \d+: (0x[0-9a-f]+) \[([0-9a-f]+)/([0-9a-f]+)/")
INSN_RE = re.compile(r"^0x([0-9a-f]+):\s+((?:[0-9a-f]{2} )+)\s*([a-z].*)$")


class Program:
    """A user program: its loadable bytes and its function symbols."""

    def __init__(self, name: str, elf: Path):
        self.name = name
        data = elf.read_bytes()
        phoff, = struct.unpack_from("<I", data, 28)
        phentsize, phnum = struct.unpack_from("<HH", data, 42)
        self.segments = []
        for i in range(phnum):
            p_type, p_offset, p_vaddr, _, p_filesz, _, _, _ = struct.unpack_from(
                "<8I", data, phoff + i * phentsize)
            if p_type == 1 and p_filesz:
                self.segments.append((p_vaddr, data[p_offset:p_offset + p_filesz]))
        out = subprocess.run(["nm", "-n", "-C", str(elf)], stdout=subprocess.PIPE, text=True,
                             check=True).stdout
        self.symbols = []
        for line in out.splitlines():
            parts = line.split(None, 2)
            if len(parts) == 3 and parts[1] in "tTwW":
                self.symbols.append((int(parts[0], 16), parts[2]))
        self.addresses = [a for a, _ in self.symbols]

    def matches(self, pc: int, code: bytes) -> bool:
        for base, body in self.segments:
            if base <= pc and pc + len(code) <= base + len(body):
                return body[pc - base:pc - base + len(code)] == code
        return False

    def function(self, pc: int) -> str:
        i = bisect.bisect_right(self.addresses, pc) - 1
        return self.symbols[i][1] if i >= 0 else "?"


def programs(target: Path) -> tuple[Program, list[Program]]:
    kernel = Program("kernel", target / "kernel" / "kernel.elf")
    users = [Program(n, target / p) for n, p in (
        ("bench", "bench/guest/axo_bench_process"),
        ("true", "bench/guest/axo_bench_true"),
        ("proc", "servers/proc/proc"),
        ("mm", "servers/memory/mm/mm"),
        ("fs", "servers/fs/fs"),
        ("ata", "servers/drivers/ata/ata"),
        ("sigma0", "servers/memory/sigma0/sigma0"))]
    return kernel, users


def trace(build: Path, log: Path, serial: Path) -> None:
    args = bench.axolotl_process_bench_args(build, False, [])
    modules = args.index("-initrd") + 1
    args[modules] += " rounds=3 warmup=1"
    cmd = [bench.QEMU, *bench.QEMU_COMMON, "-serial", f"file:{serial}", *args, *bench.ICOUNT,
           "-d", "in_asm,exec,nochain", "-D", str(log)]
    subprocess.run(cmd, timeout=3600, check=False, stdout=subprocess.DEVNULL)


def windows(log: Path, kernel: Program, users: list[Program]):
    """(start pc, end pc, Counter of (program, function)) for every rdtsc pair of the bench."""
    fresh: dict[int, list[tuple[int, bytes, str]]] = {}  # pc -> block translated, not yet run
    blocks: dict[str, tuple[str, list[tuple[int, str]]]] = {}  # host tb -> owner, [(pc, fn)]
    pending: list[tuple[int, bytes, str]] = []
    bench_prog = users[0]
    current: collections.Counter | None = None
    start_pc = 0

    def owner(block: list[tuple[int, bytes, str]]) -> tuple[str, list[tuple[int, str]]]:
        pc0 = block[0][0]
        if pc0 >= KERNEL_BASE:
            return "kernel", [(pc, "kernel " + kernel.function(pc) + (" rdtsc" if t == "rdtsc" else ""))
                              for pc, _, t in block]
        code = b"".join(b for _, b, _ in block)
        for p in users:
            if p.matches(pc0, code):
                return p.name, [(pc, p.name + " " + p.function(pc) +
                                 (" rdtsc" if t == "rdtsc" else "")) for pc, _, t in block]
        return "?", [(pc, "? " + hex(pc)) for pc, _, _ in block]

    with open(log, errors="replace") as f:
        for line in f:
            if m := INSN_RE.match(line):
                pending.append((int(m.group(1), 16), bytes.fromhex(m.group(2).replace(" ", "")),
                                m.group(3).split()[0]))
                continue
            if pending:
                fresh[pending[0][0]] = pending
                pending = []
            m = TRACE_RE.match(line)
            if not m:
                continue
            tb, pc = m.group(1), int(m.group(3), 16)
            if pc in fresh:
                blocks[tb] = owner(fresh.pop(pc))
            entry = blocks.get(tb)
            if entry is None:
                continue
            who, insns = entry
            for ipc, fn in insns:
                if who == bench_prog.name and fn.endswith(" rdtsc"):
                    if current is not None:
                        yield start_pc, ipc, current
                    current, start_pc = collections.Counter(), ipc
                    continue
                if current is not None:
                    current[fn] += 1


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", type=Path, required=True)
    p.add_argument("--reuse", action="store_true", help="the trace of the last run")
    p.add_argument("--top", type=int, default=25, help="functions shown per measurement")
    args = p.parse_args()
    out = args.build / "bench"
    out.mkdir(parents=True, exist_ok=True)
    log, serial = out / "process-trace.log", out / "process-trace-serial.log"
    if not args.reuse:
        print("process_profile.py: tracing (a few minutes, a few GB)", file=sys.stderr)
        trace(args.build, log, serial)
    kernel, users = programs(args.build / "target")
    by_pair: dict[tuple[int, int], list[collections.Counter]] = collections.defaultdict(list)
    for start, end, counts in windows(log, kernel, users):
        by_pair[(start, end)].append(counts)
    if serial.exists():
        print("".join(l for l in serial.read_text(errors="replace").splitlines(True)
                      if l.startswith("BENCH")))
    for (start, end), rounds in sorted(by_pair.items(), key=lambda kv: -len(kv[1])):
        if len(rounds) < 2:
            continue  # an rdtsc pair that is no measurement (the start of the next row)
        rounds.sort(key=lambda c: sum(c.values()))
        median = rounds[len(rounds) // 2]
        total = sum(median.values())
        print(f"## rdtsc {start:#x} -> {end:#x}: {len(rounds)} rounds, median {total:,}")
        parts = collections.Counter()
        for fn, n in median.items():
            parts[fn.split(" ", 1)[0]] += n
        print("   by program: " + ", ".join(f"{k} {v:,}" for k, v in parts.most_common()))
        for fn, n in median.most_common(args.top):
            print(f"   {n:>9,}  {fn}")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
