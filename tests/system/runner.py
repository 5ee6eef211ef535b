"""What qemu_run.py and bochs_run.py share: the command line, running an emulator under a
deadline while watching its serial log, and reporting the verdict of judge.py.

Exit status of a runner: 0 pass, 1 the guest failed (a verdict), HARNESS_ERROR when the test
could not be run at all (kernel missing, emulator missing, bad arguments, a runner bug).
The distinction matters to tests that are expected to fail (ctest WILL_FAIL): they set
SKIP_RETURN_CODE to HARNESS_ERROR so a broken harness is never mistaken for a caught failure.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import judge

HARNESS_ERROR = 77
MKISO = Path(__file__).resolve().parents[2] / "image" / "mkiso.sh"
MKISO_TIMEOUT = 60
# A guest stuck printing in a loop must not fill the disk before its timeout.
MAX_LOG_BYTES = 64 << 20
LOG_TAIL_LINES = 150
POLL_SECONDS = 0.02
PR_SET_PDEATHSIG = 1  # prctl(2)


class HarnessError(Exception):
    """The test could not be run; the message is the reason."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str):
        self.print_usage(sys.stderr)
        print(f"FAIL: bad arguments: {message}", file=sys.stderr)
        sys.exit(HARNESS_ERROR)


def common_arguments(description: str, default_timeout: float) -> Parser:
    p = Parser(description=description)
    p.add_argument("--kernel", required=True, type=Path, help="the Multiboot v1 ELF to boot")
    p.add_argument("--append", default="", metavar="CMDLINE", help="kernel command line")
    p.add_argument("--module", action="append", default=[], metavar='"PATH ARGS"',
                   help="boot module: a path, optionally followed by its arguments (repeatable)")
    p.add_argument("--timeout", type=float, default=default_timeout, metavar="SECONDS",
                   help=f"wall-clock limit of the boot (default {default_timeout:g})")
    p.add_argument("--log", type=Path, metavar="PATH",
                   help="where to keep the serial log (default: a new temporary directory)")
    p.add_argument("--expect", action="append", default=[], metavar="REGEX",
                   help="a regex that must match the serial log (repeatable)")
    p.add_argument("--expect-panic", action="store_true",
                   help="pass only if the kernel reports a panic (proves panics are caught)")
    p.add_argument("--no-tap", action="store_true",
                   help="do not require TAP output (boot-only checks with --expect)")
    p.add_argument("--no-end-marker", action="store_true",
                   help="do not require the end marker; stop as soon as every --expect matched")
    return p


def default_log(args, prefix: str) -> Path:
    if args.log:
        return args.log.resolve()
    return Path(tempfile.mkdtemp(prefix=prefix)) / "serial.log"


def split_module(spec: str) -> tuple[Path, str]:
    path, _, module_args = spec.strip().partition(" ")
    return Path(path), module_args.strip()


def check_inputs(args) -> None:
    if not args.kernel.is_file():
        raise HarnessError(f"kernel not found: {args.kernel} (build it first: ./axo build)")
    for spec in args.module:
        path, _ = split_module(spec)
        if not path.is_file():
            raise HarnessError(f"boot module not found: {path}")


def make_iso(args, iso: Path) -> None:
    """A GRUB ISO of --kernel, --append and --module, made by image/mkiso.sh."""
    cmd = [str(MKISO), "-q", "-o", str(iso), "-k", str(args.kernel), "-c", args.append]
    for spec in args.module:
        cmd += ["-m", spec]
    try:
        result = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                timeout=MKISO_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise HarnessError(f"mkiso.sh took longer than {MKISO_TIMEOUT} s")
    if result.returncode != 0:
        sys.stdout.write(result.stdout + result.stderr)
        raise HarnessError(f"mkiso.sh failed with status {result.returncode}")


def expectations(args, exit_status: int | None) -> judge.Expectations:
    return judge.Expectations(
        tap=not (args.no_tap or args.expect_panic),
        end_marker=not (args.no_end_marker or args.expect_panic),
        panic=args.expect_panic,
        patterns=tuple(args.expect),
        exit_status=exit_status,
    )


@dataclass
class Run:
    outcome: judge.Outcome
    log: str
    elapsed: float
    first_output: float | None  # seconds from start to the first serial byte


# Markers after which the run is over: the guest should now stop by itself, and is stopped
# once it has been quiet for a grace period (a panic's register dump follows its first line).
_FINAL_MARKERS = (judge.END_MARKER, judge.PANIC_MARKER, judge.GRUB_FAILED_MARKER)


def run_emulator(command: list[str], *, emulator: str, serial_log: Path, output: Path,
                 timeout: float, grace: float, env: dict[str, str] | None = None,
                 done: Callable[[str], bool] | None = None) -> Run:
    """Runs `command` in its own process group until it exits, a final marker appears in
    `serial_log` (then until `grace` seconds without output), `done(log)` holds, or
    `timeout` passes.

    The runner stops the emulator with SIGKILL to the process group it made for it (Bochs
    ignores SIGTERM) and never touches a process it did not start. `timeout -k` around the
    emulator is the backstop should the runner itself be killed outright.
    """
    serial_log.unlink(missing_ok=True)
    backstop = int(timeout + grace + 10)
    argv = ["timeout", "-k", "5", str(backstop), *command]
    start = time.monotonic()
    with open(output, "wb") as out:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True, env=env, preexec_fn=_die_with_runner)

    stopped = False

    def stop():
        nonlocal stopped
        stopped = True
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()

    def on_signal(signum, _frame):
        stop()
        print(f"FAIL: interrupted by signal {signum}", flush=True)
        sys.exit(HARNESS_ERROR)

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    data = bytearray()
    first_output = None
    quiet_since = None  # last output after a final marker
    timed_out = False
    note = ""
    try:
        with _LogFollower(serial_log) as follower:
            while True:
                exited = proc.poll() is not None
                chunk = follower.read()
                now = time.monotonic()
                if chunk:
                    if first_output is None:
                        first_output = now - start
                    # Search only the new bytes (plus an overlap) so a long log stays cheap.
                    window = bytes(data[-64:]) + chunk
                    data += chunk
                    if quiet_since is not None or any(m.encode() in window for m in _FINAL_MARKERS):
                        quiet_since = now
                if exited:
                    break
                if len(data) > MAX_LOG_BYTES:
                    note = f"serial log exceeded {MAX_LOG_BYTES >> 20} MiB; stopped"
                    stop()
                    break
                if quiet_since is not None and now - quiet_since >= grace:
                    stop()
                    break
                if done is not None and chunk and done(data.decode("utf-8", "replace")):
                    stop()
                    break
                if now - start >= timeout:
                    timed_out = True
                    stop()
                    break
                time.sleep(POLL_SECONDS)
            data += follower.read()
    finally:
        if proc.poll() is None:
            stop()
        for s, handler in previous.items():
            signal.signal(s, handler)

    # A status is only the guest's doing if the emulator exited by itself, not if the runner
    # or the backstop (status 124 or 137 after `backstop` seconds) stopped it.
    elapsed = time.monotonic() - start
    status = None if stopped or elapsed >= backstop else proc.returncode
    outcome = judge.Outcome(emulator=emulator, exit_status=status, timed_out=timed_out,
                            timeout=timeout, note=note)
    return Run(outcome, data.decode("utf-8", "replace"), elapsed, first_output)


def _die_with_runner() -> None:
    """In the child, before exec: when the runner dies, `timeout` gets SIGTERM and takes the
    emulator with it (Bochs, deaf to SIGTERM, after timeout's -k delay) instead of leaving it
    running until the backstop."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


class _LogFollower:
    """Reads whatever the emulator appended to the serial log since the last call."""

    def __init__(self, path: Path):
        self.path = path
        self.file = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.file:
            self.file.close()

    def read(self) -> bytes:
        if self.file is None:
            try:
                self.file = open(self.path, "rb")
            except FileNotFoundError:
                return b""
        return self.file.read()


def print_command(tag: str, command: list[str], timeout: float) -> None:
    print(f"{tag}: {shlex.join(command)}", flush=True)
    print(f"{tag}: timeout {timeout:g} s", flush=True)


def report(tag: str, verdict: judge.Verdict, run: Run, serial_log: Path, output: Path,
           extra_files: list[Path] = ()) -> int:
    """Prints the outcome; on failure the serial log (or its tail) and the emulator's output
    come first and the one-line reason last, where ctest's output shows it."""
    first = f", first serial output after {run.first_output:.2f} s" if run.first_output is not None else ""
    if not verdict.passed:
        lines = judge.clean_lines(run.log)
        shown = lines[-LOG_TAIL_LINES:]
        cut = f"last {len(shown)} of {len(lines)} lines" if len(shown) < len(lines) else f"{len(lines)} lines"
        print(f"---- serial log ({cut}): {serial_log}")
        for line in shown:
            print(line)
        print("---- end of serial log")
        emulator_text = output.read_text("utf-8", "replace").strip() if output.exists() else ""
        if emulator_text:
            tail = emulator_text.splitlines()[-40:]
            print(f"---- emulator output (last {len(tail)} lines): {output}")
            print("\n".join(tail))
            print("---- end of emulator output")
        for path in extra_files:
            print(f"{tag}: see also {path}")
        for problem in verdict.problems:
            print(f"  - {problem}")
    print(f"{tag}: ran {run.elapsed:.2f} s{first}; serial log: {serial_log}")
    print(verdict.reason, flush=True)
    return 0 if verdict.passed else 1


def main_guard(tag: str, body: Callable[[], int]) -> None:
    """Any way out that is not a verdict is a harness error, never a plain failure."""
    try:
        code = body()
    except HarnessError as e:
        print(f"FAIL: {tag}: {e}", flush=True)
        code = HARNESS_ERROR
    except Exception:
        traceback.print_exc()
        print(f"FAIL: {tag}: internal error (a bug in the runner)", flush=True)
        code = HARNESS_ERROR
    sys.exit(code)
