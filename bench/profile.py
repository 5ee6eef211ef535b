#!/usr/bin/env python3
"""Where the instructions of every benchmark result go: kernel entry, IPC, copying, ...

    profile.py --build BUILD                  every result's instructions, by part
    profile.py --build BUILD --row NAME       one result's instructions, function by function
    profile.py --build BUILD --reuse ...      the trace of the last run (BUILD/bench/trace.log)
    profile.py --build BUILD --markdown PATH  the table as Markdown too (bench.py's RESULTS.md)

Boots the benchmark like bench.py's instruction run (-icount, smallspaces=force) with
rounds=20 warmup=5, with QEMU logging every translated block (-d in_asm) and every block
executed (-d exec,nochain) into BUILD/bench/trace.log (a few hundred MB); the guest's serial
output (its BENCH lines) goes to BUILD/bench/trace-serial.log.

Every executed instruction is attributed to its function (nm: the kernel's symbols for
kernel addresses, the benchmark's for user code; a small space's code runs at its segment
base plus the program's address, and the trace gives that base) and each function to a part
(PARTS below). A measurement is cut out of the instruction stream exactly as the benchmark
times it: from the timed instruction (the probe's `int`, or bench_touch's load) to the rdtsc
that ends it — for a one-way IPC the timed server's rdtsc, for its reply from the server's
`int` back to the client's rdtsc. The benchmark's order of measurements (bench/guest/main.cc:
main, measure_pair) says which result each run of a probe belongs to; of the rounds after the
warm-up, the one with the median instruction count is shown (column `traced`), beside the
guest's own BENCH value from the same run (column `bench`). QEMU's instruction counter
counts a few more than the trace shows (on the fast path one per switch into another thread
and one per CR3 write; 17 and 20 on the map and fault rows; none for the null syscall); the
difference is the same from run to run, so a change in a part is a change in the code that
part names.
"""

from __future__ import annotations

import argparse
import bisect
import collections
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402

ROUNDS, WARMUP = 20, 5
MAP_PAGES = 48  # main.cc kMapPages: map.page and pagefault measure this many samples
KERNEL_BASE = 0xE0000000  # kernel/arch/ia32/layout.h kKernelBase; small spaces lie below it
TRACE_RE = re.compile(r"^Trace \d+: 0x[0-9a-f]+ \[([0-9a-f]+)/([0-9a-f]+)/")
# An instruction: address, bytes, mnemonic. Bytes that do not fit on the line continue on the
# next one, behind an address of their own and without a mnemonic: no instruction.
INSN_RE = re.compile(r"^0x([0-9a-f]+):\s+(?:[0-9a-f]{2} )+\s+([a-z].*)$")
EXCEPTION_RE = re.compile(r"\bv=([0-9a-f]+) e=[0-9a-f]+ i=(\d) cpl=\d IP=[0-9a-f]+:[0-9a-f]+ pc=([0-9a-f]+)")

# Parts, in the order they are shown; the first pattern that matches a function's name wins.
# Kernel functions are matched as "K <name>", user functions as "U <name>".
PARTS: list[tuple[str, list[str]]] = [
    ("entry", [  # int/iret, saving and restoring the TrapFrame, syscall decoding
        r"^U .*: int$", r"^K ia32_syscall_entry$", r"^K ia32_syscall_general$",
        r"^K trap_common$", r"^K ia32_trap_return$", r"^K ia32_trap$", r"^K ia32_trap_stubs",
        r"^K ia32_ipc_fast_return$", r"^K ia32_ipc_fast_blocked$", r"^K ia32_ipc_fast_resumed$",
        r"handle_syscall", r"before_user_return"]),
    ("map+fault", [  # map items, the mapping database, page tables, page-fault delivery
        r"map_items", r"mapdb", r"[Mm]apping", r"Space::install", r"Space::node_slot",
        r"install_hook", r"map_user_page", r"paging", r"page_fault", r"deliver_exception",
        r"user_registers", r"ObjectCache", r"KernelHeap", r"kmem::", r"physmem::",
        r"cache_policy", r"^K memset$"]),
    ("copy", [  # message words from UTCB to UTCB
        r"^K ia32_ipc_fast_copy$", r"^K memcpy$", r"^K memmove$", r"ipc::.*transfer\("]),
    ("switch", [  # thread and address-space switch: esp0, UTCB segment, segments, CR3, FPU
        r"^K ia32_ipc_fast_space", r"^K ia32_ipc_fast_fpu$", r"^K ia32_switch_context$",
        r"switch_to", r"load_space", r"load_io_bitmap", r"set_user_segments",
        r"set_utcb_segment", r"set_kernel_stack", r"user_data_segment", r"axo::arch::"]),
    ("sched", [r"axo::sched::", r"ReadyQueue", r"Timeout", r"timeout"]),
    ("ipc", [r"^K ia32_ipc_fast_", r"axo::ipc::", r"threads::", r"axo::Thread", r"interrupts::",
             r"kip"]),
    ("kernel other", [r"^K "]),
    ("client", [r"^U bench_(call|touch|null_syscall)$"]),
    ("server", [r"^U "]),  # the partner's own user-mode work (pager included)
]
PART_NAMES = [p for p, _ in PARTS]
PART_RES = [(p, [re.compile(x) for x in xs]) for p, xs in PARTS]


def part_of(name: str) -> str:
    for p, res in PART_RES:
        if any(r.search(name) for r in res):
            return p
    return "kernel other"


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

    def address(self, name: str) -> int:
        for a, n in self.entries:
            if n == name:
                return a
        raise SystemExit(f"profile.py: no symbol {name}")


def probe_points(elf: Path, syms: Symbols) -> dict[str, int]:
    """User addresses where measurements start and end (probes.S), from the disassembly."""
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", str(elf)],
                         stdout=subprocess.PIPE, text=True, check=True).stdout
    funcs: dict[str, list[tuple[int, str]]] = collections.defaultdict(list)
    current = None
    for line in out.splitlines():
        if m := re.match(r"^[0-9a-f]+ <(\w+)>:$", line):
            current = m.group(1)
        elif current and (m := re.match(r"^\s+([0-9a-f]+):\s+(\S+)", line)):
            funcs[current].append((int(m.group(1), 16), m.group(2)))
    points = {}
    for probe in ("bench_null_syscall", "bench_call", "bench_touch"):
        insns = funcs[probe]
        rdtscs = [i for i, (_, op) in enumerate(insns) if op == "rdtsc"]
        end = rdtscs[1]  # the first is timed_entry's
        points[probe + ".start"] = insns[end - 1][0]
        points[probe + ".end"] = insns[end][0]
    insns = funcs["bench_server_timed"]
    rdtscs = [i for i, (_, op) in enumerate(insns) if op == "rdtsc"]
    points["server.t1"] = insns[rdtscs[0]][0]  # t1: the first instruction after its receive
    ints = [a for a, op in insns if op == "int"]
    points["server.reply"] = ints[-1]  # the reply-and-wait's int, after t2
    return points


@dataclass
class Window:
    kind: str  # bench_null_syscall, bench_call, bench_touch, oneway, reply
    counts: collections.Counter = field(default_factory=collections.Counter)  # by function
    sequence: list = field(default_factory=list)  # [function, instructions] in order
    timed_server: bool = False

    def add(self, fn: str) -> None:
        self.counts[fn] += 1
        if self.sequence and self.sequence[-1][0] == fn:
            self.sequence[-1][1] += 1
        else:
            self.sequence.append([fn, 1])

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def trace(build: Path, log: Path, serial: Path) -> None:
    args = bench.axolotl_args(build / "target", False)
    args[-1] += f" rounds={ROUNDS} warmup={WARMUP}"
    cmd = [bench.QEMU, *bench.QEMU_COMMON, "-serial", f"file:{serial}", *args, *bench.ICOUNT,
           "-d", "in_asm,exec,nochain,int", "-D", str(log)]
    subprocess.run(cmd, timeout=900, check=False, stdout=subprocess.DEVNULL)


def windows(log: Path, kernel: Symbols, user: Symbols, points: dict[str, int]):
    """The measurements cut out of the executed instruction stream, in order."""
    starts = {points[p + ".start"]: p for p in ("bench_null_syscall", "bench_call", "bench_touch")}
    ends = {points[p + ".end"]: p for p in ("bench_null_syscall", "bench_call", "bench_touch")}
    t1, reply = points["server.t1"], points["server.reply"]
    blocks: dict[tuple[int, int], list[int]] = {}
    names: dict[tuple[int, int], str] = {}  # (cs_base, pc) -> "K fn" / "U fn"

    def name(cs_base: int, pc: int) -> str:
        key = (cs_base, pc)
        n = names.get(key)
        if n is None:
            if cs_base == 0 and pc >= KERNEL_BASE:
                n = "K " + kernel.name(pc)
            else:
                n = "U " + user.name(pc - cs_base)
            names[key] = n
        return n

    texts: dict[int, str] = {}
    main: Window | None = None
    oneway: Window | None = None
    back: Window | None = None

    def execute(cs_base: int, pcs: list[int], faulted: int | None):
        """The instructions pcs ran; the one at `faulted` raised an exception (not counted:
        it did not complete, and it runs again), which may still start a measurement."""
        nonlocal main, oneway, back
        if faulted is not None:
            eip = faulted - cs_base
            if main is None and eip in starts and not (cs_base == 0 and faulted >= KERNEL_BASE):
                main = Window(starts[eip])
        for pc in pcs:
            eip = pc - cs_base
            in_user = not (cs_base == 0 and pc >= KERNEL_BASE)
            if in_user and main is not None:
                if eip == points[main.kind + ".end"]:
                    if back is not None:
                        yield back
                        back = None
                    yield main
                    main = oneway = None
                elif eip == t1 and oneway is not None:
                    yield oneway
                    oneway = None
                    main.timed_server = True
                elif eip == reply and main.timed_server and back is None:
                    back = Window("reply")
            if main is None and in_user and eip in starts:
                main = Window(starts[eip])
                if main.kind == "bench_call":
                    oneway = Window("oneway")
            if main is None:
                continue
            fn = name(cs_base, pc)
            if in_user and re.search(r"\bint\b", texts.get(pc, "")):
                fn += ": int"
            for w in (main, oneway, back):
                if w is not None:
                    w.add(fn)

    # A block is attributed once the next event shows how much of it ran: an exception
    # (-d int: vector below 32, not an int instruction) stops it at the faulting instruction,
    # which did not complete; under -icount an I/O instruction inside a block makes QEMU
    # stop there and run the rest as a new block, which starts inside the old one.
    pending: list[int] = []
    prev: tuple[int, list[int], int | None] | None = None  # (cs_base, addresses, faulted)
    with open(log, errors="replace") as f:
        for line in f:
            if m := INSN_RE.match(line):
                pc = int(m.group(1), 16)
                pending.append(pc)
                texts[pc] = m.group(2)
                continue
            if pending:
                blocks[pending[0]] = pending
                pending = []
            if m := EXCEPTION_RE.search(line):
                vector, software, pc = int(m.group(1), 16), m.group(2) == "1", int(m.group(3), 16)
                if prev is not None and vector < 32 and not software and pc in prev[1]:
                    prev = (prev[0], prev[1][:prev[1].index(pc)], pc)
                continue
            m = TRACE_RE.match(line)
            if not m:
                continue
            cs_base, tb = int(m.group(1), 16), int(m.group(2), 16)
            if prev is not None:
                pcs = prev[1]
                # Not when the block's last instruction jumped there (a loop), nor for a rep
                # string instruction, which loops by jumping to itself as a block of its own.
                last = texts.get(pcs[-1], "") if pcs else ""
                loops = f"0x{tb:x}" in last or (bool(pcs) and tb == pcs[-1] and last.startswith("rep"))
                if prev[0] == cs_base and tb in pcs[1:] and not loops:
                    pcs = pcs[:pcs.index(tb, 1)]
                yield from execute(prev[0], pcs, prev[2])
            prev = (cs_base, blocks.get(tb, []), None)


def schedule() -> list[tuple[str, str, int, int]]:
    """(result, window kind, windows, warm-up windows) in the order main.cc measures them."""
    rounds = WARMUP + ROUNDS
    rows = [("syscall.null", "bench_null_syscall", rounds, WARMUP)]

    def pair(x):
        return [(f"ipc.oneway.{x}", "timed", rounds, WARMUP),
                (f"ipc.roundtrip.{x}", "bench_call", rounds, WARMUP),
                (f"ipc.roundtrip.{x}.words8", "bench_call", rounds, WARMUP),
                (f"ipc.roundtrip.{x}.words64", "bench_call", rounds, WARMUP)]
    rows += pair("intra") + pair("large")
    rows += [("ipc.map.page", "timed", WARMUP + MAP_PAGES, WARMUP),
             ("pagefault.roundtrip", "bench_touch", WARMUP + MAP_PAGES, WARMUP)]
    rows += pair("small")
    return rows


def assign(found: list[Window]) -> dict[str, Window]:
    """The median window of each result."""
    # Group: a bench_call with the timed server brings its oneway and reply windows along.
    calls: list[tuple[Window, Window | None, Window | None]] = []
    pend_oneway = pend_reply = None
    for w in found:
        if w.kind == "oneway":
            pend_oneway = w
        elif w.kind == "reply":
            pend_reply = w
        else:
            if w.kind == "bench_call" and w.timed_server:
                calls.append((w, pend_oneway, pend_reply))
            else:
                calls.append((w, None, None))
            pend_oneway = pend_reply = None
    out: dict[str, Window] = {}
    i = 0
    for result, kind, count, warm in schedule():
        group = []
        probe = "bench_call" if kind == "timed" else kind
        while len(group) < count and i < len(calls):
            w, o, r = calls[i]
            i += 1
            if w.kind != probe:
                continue  # a probe run that belongs to no result (none today)
            group.append((w, o, r))
        measured = group[warm:]
        if not measured:
            continue
        if kind == "timed":
            pairs = [("", 1), (".reply", 2)] if result.startswith("ipc.oneway") else [("", 1)]
            for suffix, k in pairs:
                ws = sorted((g[k] for g in measured if g[k] is not None), key=lambda w: w.total)
                if ws:
                    out[result + suffix] = ws[len(ws) // 2]
        else:
            ws = sorted((g[0] for g in measured), key=lambda w: w.total)
            out[result] = ws[len(ws) // 2]
    return out


def bench_values(serial: Path) -> dict[str, int]:
    values = {}
    if serial.exists():
        for line in serial.read_text(errors="replace").splitlines():
            if (m := bench.BENCH_RE.match(line.strip())) and m.group(3) == "instructions":
                values[m.group(1)] = int(float(m.group(2)))
    return values


def by_part(w: Window) -> collections.Counter:
    parts = collections.Counter()
    for fn, n in w.counts.items():
        parts[part_of(fn)] += n
    return parts


def table(results: dict[str, Window], values: dict[str, int]) -> list[list[str]]:
    used = [p for p in PART_NAMES if any(by_part(w)[p] for w in results.values())]
    rows = [["result", "traced", "bench", *used]]
    order = [r for r, _, _, _ in schedule()]
    names = sorted(results, key=lambda r: (order.index(r.removesuffix(".reply")), r))
    for r in names:
        w = results[r]
        parts = by_part(w)
        v = values.get(r)
        rows.append([r, str(w.total), "—" if v is None else str(v),
                     *[str(parts[p]) if parts[p] else "·" for p in used]])
    return rows


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", type=Path, required=True)
    p.add_argument("--row", help="one result, function by function")
    p.add_argument("--reuse", action="store_true", help="use the trace of the last run")
    p.add_argument("--markdown", type=Path, help="also write the table as Markdown here")
    args = p.parse_args()

    log = args.build / "bench" / "trace.log"
    serial = args.build / "bench" / "trace-serial.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    if not args.reuse or not log.exists():
        trace(args.build, log, serial)
    kernel = Symbols(args.build / "target" / "kernel" / "kernel.elf")
    guest = args.build / "target" / "bench" / "guest" / "axo_bench"
    user = Symbols(guest)
    results = assign(list(windows(log, kernel, user, probe_points(guest, user))))
    values = bench_values(serial)

    if args.row:
        w = results.get(args.row)
        if w is None:
            print(f"profile.py: no result {args.row}; known: {' '.join(sorted(results))}")
            return 1
        for fn, n in w.sequence:
            print(f"{n:6d}  {part_of(fn):12s}  {fn}")
        print(f"{w.total:6d}  total (the benchmark says {values.get(args.row, '—')})")
        print("--- per function")
        for fn, n in w.counts.most_common():
            print(f"{n:6d}  {part_of(fn):12s}  {fn}")
        return 0

    rows = table(results, values)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i])
                        for i, c in enumerate(r)))
    if args.markdown:
        md = ["| " + " | ".join(rows[0]) + " |",
              "|---|" + "---:|" * (len(rows[0]) - 1)]
        md += ["| `" + r[0] + "` | " + " | ".join(r[1:]) + " |" for r in rows[1:]]
        args.markdown.write_text("\n".join(md) + "\n")
    return 0 if len(rows) > 1 else 1


if __name__ == "__main__":
    sys.exit(main())
