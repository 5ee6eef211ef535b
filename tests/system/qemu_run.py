#!/usr/bin/env python3
"""Boots a Multiboot kernel in QEMU, watches its serial console and judges the run.

    qemu_run.py --kernel kernel.elf --append "test=kernel" [--module "path args"]...
                [--timeout 30] [--icount] [--grub] [--log PATH] [--expect REGEX]...
                [--expect-panic] [--no-tap] [--no-end-marker] [--expect-exit N]
                [--extra-qemu-arg=ARG]...

Passes when the guest printed a complete, all-ok TAP stream, the end marker, and left QEMU
through isa-debug-exit with status 33; see tests/README.md for every rule. The last line
printed is the verdict: `PASS: ...` or `FAIL: <reason>`.
"""

from __future__ import annotations

import atexit
import dataclasses
import shutil
import sys
import tempfile
from pathlib import Path

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, str(Path(__file__).resolve().parent))
import judge  # noqa: E402
import runner  # noqa: E402

TAG = "qemu_run"
QEMU = "qemu-system-i386"
# Time for QEMU to exit by itself after the end marker or a panic before it is stopped.
GRACE_SECONDS = 3.0


def short_module_paths(specs: list[str]) -> list[str]:
    """The module specs with each path replaced by a short symbolic link to it.

    QEMU's loader passes a module's path as the start of its command line, and the KIP keeps
    at most 119 bytes of it (docs/boot-configuration.md): a checkout in a deep directory must
    not push a driver's grants off the end. The links live in one fresh directory under /tmp,
    removed when the runner ends; the file name, which is the module's name, stays the same.
    The directory's prefix is one letter: the default system's VGA line needs all but a byte.
    """
    links = Path(tempfile.mkdtemp(prefix="a", dir="/tmp"))
    atexit.register(shutil.rmtree, links, True)
    out = []
    for i, spec in enumerate(specs):
        path, module_args = runner.split_module(spec)
        link = links / str(i) / path.name
        link.parent.mkdir()
        link.symlink_to(path.resolve())
        out.append(f"{link} {module_args}".strip())
    return out


def qemu_command(args, serial_log: Path, debug_log: Path, iso: Path | None) -> list[str]:
    if args.com1_socket:
        # COM1 on a Unix socket that a host program types into (tests/harness/serial_terminal.py);
        # QEMU waits for it to connect, and still logs every byte the guest sends to the log.
        com1 = ["-chardev", f"socket,id=com1,path={args.com1_socket},server=on,wait=on,"
                            f"logfile={serial_log},logappend=off",
                "-serial", "chardev:com1"]
    else:
        com1 = ["-serial", f"file:{serial_log}"]
    cmd = [QEMU, "-m", "128", "-display", "none", "-no-reboot", "-monitor", "none", *com1,
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           # Tells a triple fault (QEMU then exits with status 0 because of -no-reboot) from
           # other ways out; costs one register dump at power-on.
           "-d", "cpu_reset", "-D", str(debug_log)]
    if iso:
        cmd += ["-cdrom", str(iso), "-boot", "d"]
    else:
        cmd += ["-kernel", str(args.kernel), "-append", args.append]
    if args.module and not iso:
        # QEMU splits -initrd at commas; ",," is a literal comma.
        modules = short_module_paths(args.module)
        cmd += ["-initrd", ",".join(m.replace(",", ",,") for m in modules)]
    if args.icount:
        # Deterministic: rdtsc counts guest instructions, identical from run to run.
        cmd += ["-icount", "shift=0,sleep=off"]
    return cmd + args.extra_qemu_arg


def main() -> int:
    p = runner.common_arguments(__doc__.splitlines()[0], default_timeout=30)
    p.add_argument("--icount", action="store_true",
                   help="deterministic run: -icount shift=0,sleep=off")
    p.add_argument("--grub", action="store_true",
                   help="boot through GRUB from an ISO made by image/mkiso.sh, not QEMU's loader")
    p.add_argument("--expect-exit", type=int, metavar="STATUS",
                   help=f"QEMU exit status to require (default {judge.QEMU_EXIT_SUCCESS}, "
                        f"{judge.QEMU_EXIT_PANIC} with --expect-panic)")
    p.add_argument("--com1-socket", metavar="PATH",
                   help="COM1 on a Unix socket (server; QEMU waits for the client), logged as usual")
    p.add_argument("--extra-qemu-arg", action="append", default=[], metavar="ARG",
                   help="passed to QEMU as is; write --extra-qemu-arg=-smp for dashes (repeatable)")
    args = p.parse_args()

    runner.check_inputs(args)
    if shutil.which(QEMU) is None:
        raise runner.HarnessError(f"{QEMU} not found (apt-get install qemu-system-x86, or ./axo deps)")
    serial_log = runner.default_log(args, "axo-qemu-")
    serial_log.parent.mkdir(parents=True, exist_ok=True)
    output = serial_log.with_suffix(".qemu.txt")
    debug_log = serial_log.with_suffix(".qemu-reset.txt")

    exit_status = args.expect_exit
    if exit_status is None:
        exit_status = judge.QEMU_EXIT_PANIC if args.expect_panic else judge.QEMU_EXIT_SUCCESS
    expect = runner.expectations(args, exit_status)

    done = None
    if not expect.end_marker and not expect.panic and expect.patterns:
        # Nothing marks the end: stop as soon as the log passes. QEMU's status then says
        # nothing about the guest.
        expect = dataclasses.replace(expect, exit_status=None)

        def done(log: str) -> bool:
            return judge.judge(log, judge.Outcome(), expect).passed

    iso = None
    if args.grub:
        iso = serial_log.with_suffix(".iso")
        runner.make_iso(args, iso)
    command = qemu_command(args, serial_log, debug_log, iso)
    runner.print_command(TAG, command, args.timeout)
    run = runner.run_emulator(command, emulator="QEMU", serial_log=serial_log, output=output,
                              timeout=args.timeout, grace=GRACE_SECONDS, done=done)
    if run.outcome.exit_status == 0 and "Triple fault" in _read(debug_log):
        run.outcome = dataclasses.replace(run.outcome, note="triple fault")
    verdict = judge.judge(run.log, run.outcome, expect)
    return runner.report(TAG, verdict, run, serial_log, output)


def _read(path: Path) -> str:
    try:
        return path.read_text("utf-8", "replace")
    except FileNotFoundError:
        return ""


if __name__ == "__main__":
    runner.main_guard(TAG, main)
