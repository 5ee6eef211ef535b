#!/usr/bin/env python3
"""Where a benchmark round trip's instructions go: a per-function instruction profile.

    profile.py --build BUILD             lists the round trips (windows) of a short run
    profile.py --build BUILD --window N  profiles window N: the kernel and user functions run
                                         between two calls of bench_call, in order and summed

Boots the benchmark like bench.py's instruction run (-icount, smallspaces=force) with
rounds=20 warmup=5, and QEMU logging every translated block (-d in_asm) and every block
executed (-d exec,nochain) into BUILD/bench/trace.log (a few hundred MB). A window runs from
one entry into bench_call to the next, so it holds one round trip plus the loop around it;
its instructions are the sums of the executed blocks' sizes, attributed by symbol (nm) of the
kernel and of the benchmark program.
"""

from __future__ import annotations

import argparse
import bisect
import collections
import re
import subprocess
import sys
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402

TRACE_RE = re.compile(r"^Trace \d+: 0x[0-9a-f]+ \[[0-9a-f]+/([0-9a-f]+)/")
INSN_RE = re.compile(r"^0x([0-9a-f]+):")
KERNEL_BASE = 0xC0000000
MARKER = "bench_call"


class Symbols:
    def __init__(self, elf: Path):
        out = subprocess.run(["nm", "-n", "-C", str(elf)], stdout=subprocess.PIPE, text=True,
                             check=True).stdout
        self.entries = []
        for line in out.splitlines():
            parts = line.split(None, 2)
            if len(parts) == 3 and parts[1] in "tTwW":
                self.entries.append((int(parts[0], 16), parts[2]))
        self.addresses = [a for a, _ in self.entries]

    def name(self, pc: int) -> str:
        i = bisect.bisect_right(self.addresses, pc) - 1
        return self.entries[i][1] if i >= 0 else "?"


def trace(build: Path, log: Path) -> None:
    args = bench.axolotl_args(build / "target", False)
    args[-1] += " rounds=20 warmup=5"
    cmd = [bench.QEMU, *bench.QEMU_COMMON, "-serial", "null", *args, *bench.ICOUNT,
           "-d", "in_asm,exec,nochain", "-D", str(log)]
    subprocess.run(cmd, timeout=600, check=False)


def executed_blocks(log: Path):
    """(pc, instructions) of every block executed, in order."""
    sizes: dict[int, int] = {}
    start, count = None, 0
    with open(log, errors="replace") as f:
        for line in f:
            if m := INSN_RE.match(line):
                if start is None:
                    start = int(m.group(1), 16)
                count += 1
                continue
            if start is not None:
                sizes[start] = count
                start, count = None, 0
            if m := TRACE_RE.match(line):
                pc = int(m.group(1), 16)
                yield pc, sizes.get(pc, 0)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", type=Path, required=True)
    p.add_argument("--window", type=int, help="the window to profile (default: list them)")
    p.add_argument("--reuse", action="store_true", help="use the trace of the last run")
    args = p.parse_args()

    log = args.build / "bench" / "trace.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    if not args.reuse or not log.exists():
        trace(args.build, log)
    kernel = Symbols(args.build / "target" / "kernel" / "kernel.elf")
    user = Symbols(args.build / "target" / "bench" / "guest" / "axo_bench")

    def name(pc: int) -> str:
        return ("K " + kernel.name(pc)) if pc >= KERNEL_BASE else ("U " + user.name(pc))

    blocks = [(name(pc), n) for pc, n in executed_blocks(log)]
    starts = [i for i in range(1, len(blocks))
              if blocks[i][0] == "U " + MARKER and blocks[i - 1][0] != "U " + MARKER]
    windows = list(zip(starts, starts[1:]))
    if args.window is None:
        for k, (a, b) in enumerate(windows):
            servers = sorted({s[2:] for s, _ in blocks[a:b] if s.startswith("U bench_server")})
            print(f"{k:4d} {sum(n for _, n in blocks[a:b]):7d}  {' '.join(servers)}")
        return 0
    a, b = windows[args.window]
    sequence: list[list] = []
    for s, n in blocks[a:b]:
        if sequence and sequence[-1][0] == s:
            sequence[-1][1] += n
        else:
            sequence.append([s, n])
    for s, n in sequence:
        print(f"{n:6d}  {s}")
    print(f"{sum(n for _, n in blocks[a:b]):6d}  total")
    print("--- per function")
    totals = collections.Counter()
    for s, n in blocks[a:b]:
        totals[s] += n
    for s, n in totals.most_common():
        print(f"{n:6d}  {s}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
