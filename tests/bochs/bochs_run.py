#!/usr/bin/env python3
"""Boots a Multiboot kernel on Bochs (Pentium CPU model) from a GRUB ISO and judges the run.

    bochs_run.py --kernel kernel.elf --append "test=kernel" [--module "path args"]...
                 [--timeout 120] [--log PATH] [--work-dir DIR] [--expect REGEX]...
                 [--expect-panic] [--no-tap] [--no-end-marker] [--megs 64]
                 [--bochsrc-line LINE]... [--disk IMAGE --disk-geometry C,H,S] [--com1-tcp PORT]

Bochs has no isa-debug-exit, and its exit status is always 1: the verdict rests on the
serial log alone. The runner stops Bochs as soon as the end marker or a panic has appeared
(a guest may also power Bochs off itself, see tests/README.md). With --disk, a flat disk image
is the primary channel's master and the CD-ROM moves to the secondary channel's master. With
--com1-tcp, Bochs connects COM1 to a host program listening on 127.0.0.1:PORT, which types into
it and writes every byte it receives to the serial log the runner judges (tests/bochs/
bochs_shell.py). The work dir (default: beside
the log) keeps the ISO, the bochsrc and Bochs' own log for a rerun by hand:
    cd WORK && TERM=dumb bochs -q -f bochsrc -rc debugger.rc
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, str(ROOT / "tests" / "system"))
import judge  # noqa: E402
import runner  # noqa: E402

TAG = "bochs_run"
TEMPLATE = HERE / "bochsrc.in"
# After the end marker a guest may power Bochs off itself; after a panic its register dump
# is still being printed. Either way the run is over once the log has been quiet this long.
GRACE_SECONDS = 0.5
# Panics that are a guest's orderly way out, not a failure (port 0x8900 "Shutdown", ACPI S5).
_SHUTDOWN_PANICS = ("Shutdown port: shutdown requested", "ACPI control: soft power off")


def write_bochsrc(path: Path, values: dict[str, str], extra_lines: list[str]) -> None:
    text = TEMPLATE.read_text()
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    if leftover := re.search(r"@[A-Z_]+@", text):
        raise runner.HarnessError(f"{TEMPLATE} uses {leftover.group()}, which the runner does not fill in")
    path.write_text(text + "".join(f"{line}\n" for line in extra_lines))


def ata_lines(args, iso: Path) -> str:
    """The IDE channels: the boot CD-ROM alone on ata0, or a disk there and the CD-ROM on ata1."""
    cdrom = f'type=cdrom, path="{iso}", status=inserted'
    ata0 = "ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14"
    if args.disk is None:
        return f"{ata0}\nata0-master: {cdrom}"
    if not args.disk.is_file():
        raise runner.HarnessError(f"--disk {args.disk}: no such file")
    geometry = ""
    if args.disk_geometry:
        c, h, s = (int(x) for x in args.disk_geometry.split(","))
        if c * h * s * 512 != args.disk.stat().st_size:
            raise runner.HarnessError(f"--disk-geometry {args.disk_geometry} does not match "
                                      f"the image's {args.disk.stat().st_size} bytes")
        geometry = f", cylinders={c}, heads={h}, spt={s}"
    return (f'{ata0}\nata0-master: type=disk, mode=flat, path="{args.disk.resolve()}"{geometry}\n'
            f"ata1: enabled=1, ioaddr1=0x170, ioaddr2=0x370, irq=15\nata1-master: {cdrom}")


def bochs_panic(bochs_log: Path) -> str:
    """Bochs' own reason for stopping, if it was not the guest powering off."""
    try:
        text = bochs_log.read_text("utf-8", "replace")
    except FileNotFoundError:
        return ""
    for line in text.splitlines():
        if ">>PANIC<<" in line and not any(s in line for s in _SHUTDOWN_PANICS):
            return "Bochs panic: " + line.split(">>PANIC<<", 1)[1].strip()
    return ""


def main() -> int:
    p = runner.common_arguments(__doc__.splitlines()[0], default_timeout=120)
    p.add_argument("--work-dir", type=Path, metavar="DIR",
                   help="where the ISO, bochsrc and Bochs' log go (default: LOG without .log + .work)")
    p.add_argument("--megs", type=int, default=64, help="guest memory in MiB (default 64)")
    p.add_argument("--bochsrc-line", action="append", default=[], metavar="LINE",
                   help="appended to the generated bochsrc (repeatable)")
    p.add_argument("--disk", type=Path, metavar="IMAGE",
                   help="a flat disk image as ata0-master (the CD-ROM moves to ata1-master)")
    p.add_argument("--disk-geometry", metavar="C,H,S", default=None,
                   help="its cylinders, heads and sectors per track (C*H*S*512 = its size)")
    p.add_argument("--com1-tcp", type=int, metavar="PORT",
                   help="COM1 connects to 127.0.0.1:PORT (a host program that writes the serial log)")
    args = p.parse_args()

    runner.check_inputs(args)
    if shutil.which("bochs") is None:
        raise runner.HarnessError("bochs not found (apt-get install bochs bochs-term bochsbios vgabios, or ./axo deps)")
    serial_log = runner.default_log(args, "axo-bochs-")
    work = (args.work_dir or serial_log.with_suffix(".work")).resolve()
    work.mkdir(parents=True, exist_ok=True)
    serial_log.parent.mkdir(parents=True, exist_ok=True)

    iso = work / "boot.iso"
    runner.make_iso(args, iso)
    bochsrc = work / "bochsrc"
    bochs_log = work / "bochs.log"
    com1 = f"mode=file, dev={serial_log}"
    if args.com1_tcp is not None:
        com1 = f"mode=socket-client, dev=127.0.0.1:{args.com1_tcp}"
    write_bochsrc(bochsrc, {"MEGS": str(args.megs), "ATA_LINES": ata_lines(args, iso),
                            "COM1": com1, "BOCHS_LOG": str(bochs_log)},
                  args.bochsrc_line)
    # Debian's Bochs is built with its debugger, which stops before the first instruction:
    # `c` runs the guest, `quit` ends Bochs once the guest stops (power-off or panic).
    rc = work / "debugger.rc"
    rc.write_text("c\nquit\n")

    # The emulator has no exit status of its own worth checking.
    expect = runner.expectations(args, exit_status=None)
    done = None
    if not expect.end_marker and not expect.panic and expect.patterns:
        def done(log: str) -> bool:  # nothing marks the end: stop once the log passes
            return judge.judge(log, judge.Outcome(emulator="Bochs"), expect).passed

    command = ["bochs", "-q", "-f", str(bochsrc), "-rc", str(rc)]
    runner.print_command(TAG, command, args.timeout)
    env = dict(os.environ, TERM="dumb")
    run = runner.run_emulator(command, emulator="Bochs", serial_log=serial_log,
                              output=work / "bochs-screen.txt", timeout=args.timeout,
                              grace=GRACE_SECONDS, env=env, done=done)
    if note := bochs_panic(bochs_log):
        run.outcome = dataclasses.replace(run.outcome, note=note)
    verdict = judge.judge(run.log, run.outcome, expect)
    return runner.report(TAG, verdict, run, serial_log, work / "bochs-screen.txt", [bochs_log])


if __name__ == "__main__":
    runner.main_guard(TAG, main)
