"""Judging a guest's serial log: pure functions, no processes, no files.

The runners (qemu_run.py, bochs_run.py) collect a serial log and the emulator's fate; this
module decides pass or fail and says why in one line. Keeping it pure is what lets
tests/harness unit-test every verdict without booting anything.

The guest's conventions (set by the kernel, see tests/README.md):
  - TAP 13 on the serial console: `TAP version 13`, `ok N - desc`, `not ok N - desc`,
    `# diagnostics`, one plan `1..N` first or last, `# SKIP` / `# TODO` directives;
  - the end marker `AXOLOTL: END OF TESTS` after the last test;
  - a panic prints a line starting with `KERNEL PANIC:`;
  - under QEMU the kernel leaves through isa-debug-exit: status 33 after the end marker,
    35 after a panic.
Only lines that are exactly TAP count: GRUB and kernel chatter around them is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

END_MARKER = "AXOLOTL: END OF TESTS"
PANIC_MARKER = "KERNEL PANIC:"
# Printed by the grub.cfg that image/mkiso.sh writes, only when `boot` returned.
GRUB_FAILED_MARKER = "AXOLOTL: GRUB FAILED TO BOOT THE KERNEL"

# isa-debug-exit turns a write of v to its port into QEMU exit status (v << 1) | 1.
QEMU_EXIT_SUCCESS = (0x10 << 1) | 1  # 33
QEMU_EXIT_PANIC = (0x11 << 1) | 1  # 35

# CSI sequences (cursor moves, colours), other two-byte escapes, then any control character
# left over except tab: what GRUB and firmware leave in a serial log.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[@-_]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

_VERSION = re.compile(r"^TAP version (\d+)\s*$")
_PLAN = re.compile(r"^1\.\.(\d+)\s*(?:#\s*(.*?))?\s*$")
# `ok`/`not ok` must be followed by a blank or the end of the line: "okay" is not a test.
_TEST = re.compile(r"^(not )?ok(?=\s|$)\s*(\d+)?\s*(?:-\s*)?(.*?)\s*$")
_DIRECTIVE = re.compile(r"^\s*(SKIP|TODO)\S*\s*(.*?)\s*$", re.IGNORECASE)
_BAIL_OUT = re.compile(r"^Bail out!\s*(.*?)\s*$")


def clean_lines(raw: str) -> list[str]:
    """The log as a terminal would show it, line by line: escapes and CRs gone.

    A carriage return inside a line means the text after it overwrote the start of the
    line (GRUB writes "\\n\\r" then the kernel's text); keeping what follows the last one
    is close enough for matching.
    """
    lines = []
    for line in _ESCAPES.sub("", raw).split("\n"):
        line = line.rstrip("\r")
        line = line[line.rfind("\r") + 1 :]
        lines.append(_CONTROL.sub("", line).rstrip())
    if lines and lines[-1] == "":
        lines.pop()
    return lines


@dataclass(frozen=True)
class TestPoint:
    number: int
    ok: bool
    description: str
    directive: str | None = None  # "SKIP" or "TODO"
    reason: str = ""

    @property
    def counts_as_failure(self) -> bool:
        # TAP: a skipped test did not fail, and a failing TODO test is an expected failure.
        return not self.ok and self.directive not in ("SKIP", "TODO")

    def label(self) -> str:
        return f"{self.number} - {self.description}" if self.description else str(self.number)


@dataclass
class Tap:
    version_seen: bool = False
    plans: list[tuple[int, str]] = field(default_factory=list)  # (count, directive text)
    tests: list[TestPoint] = field(default_factory=list)
    bail_out: str | None = None
    sequence_errors: list[str] = field(default_factory=list)

    @property
    def present(self) -> bool:
        return self.version_seen or bool(self.plans) or bool(self.tests)

    @property
    def failures(self) -> list[TestPoint]:
        return [t for t in self.tests if t.counts_as_failure]


def parse_tap(lines: list[str]) -> Tap:
    """Reads the TAP stream: from the `TAP version` line (or the top) up to the end marker.

    Starting at the version line keeps anything a boot loader printed out of the stream;
    indented lines (subtests) and anything not exactly TAP are skipped.
    """
    start = next((i for i, l in enumerate(lines) if _VERSION.match(l)), None)
    tap = Tap(version_seen=start is not None)
    for line in lines[(start or 0) :]:
        if line.startswith(END_MARKER):
            break
        if m := _TEST.match(line):
            expected = len(tap.tests) + 1
            number = int(m.group(2)) if m.group(2) else expected
            if number != expected:
                tap.sequence_errors.append(f"test {number} out of sequence (expected {expected})")
            description, directive, reason = m.group(3), None, ""
            # An unescaped '#' starts a directive; "\#" is a literal hash in the description.
            parts = re.split(r"(?<!\\)#", description, maxsplit=1)
            if len(parts) == 2 and (d := _DIRECTIVE.match(parts[1])):
                description, directive, reason = parts[0].rstrip(), d.group(1).upper(), d.group(2)
            tap.tests.append(TestPoint(number, not m.group(1), description, directive, reason))
        elif m := _PLAN.match(line):
            tap.plans.append((int(m.group(1)), m.group(2) or ""))
        elif m := _BAIL_OUT.match(line):
            tap.bail_out = m.group(1)
            break
    return tap


@dataclass(frozen=True)
class Expectations:
    """What a test demands of the run; the defaults are a full TAP test under QEMU."""

    tap: bool = True  # a TAP stream with a plan must be present
    end_marker: bool = True
    panic: bool = False  # the run must end in a kernel panic (proves panics are caught)
    patterns: tuple[str, ...] = ()  # regexes that must each match somewhere in the log
    # The emulator's exit status when the guest ends the run; None where the emulator has no
    # meaningful one (Bochs). The runner picks QEMU_EXIT_PANIC when `panic` is set.
    exit_status: int | None = QEMU_EXIT_SUCCESS


@dataclass(frozen=True)
class Outcome:
    """How the emulator run ended, as the runner saw it."""

    emulator: str = "QEMU"
    exit_status: int | None = None  # None: the runner stopped the emulator itself
    timed_out: bool = False
    timeout: float = 0.0
    note: str = ""  # what the emulator said about the end, e.g. "triple fault", a Bochs panic


@dataclass
class Verdict:
    passed: bool
    reason: str  # the one line: "PASS: ..." or "FAIL: ..."
    problems: list[str]
    tap: Tap


def _describe_exit(outcome: Outcome, explain: bool = True) -> str:
    status = outcome.exit_status
    if status is None:
        return f"{outcome.emulator} was stopped by the runner"
    text = f"{outcome.emulator} exited with status {status}"
    if not explain:
        return text
    if outcome.emulator == "QEMU" and status == 0:
        text += ": the guest reset (triple fault?) under -no-reboot, or QEMU was shut down"
    elif outcome.emulator == "QEMU" and status == 1:
        text += ": QEMU failed (see its output)"
    return text


def _first_line_with(lines: list[str], marker: str) -> str | None:
    for line in lines:
        if marker in line:
            return line[line.index(marker) :]
    return None


def judge(raw_log: str, outcome: Outcome, expect: Expectations) -> Verdict:
    lines = clean_lines(raw_log)
    tap = parse_tap(lines)
    problems: list[str] = []

    # A panic may cut into a half-printed line, so it is looked for anywhere in a line.
    panic = _first_line_with(lines, PANIC_MARKER)
    end_seen = any(l.startswith(END_MARKER) for l in lines)

    # The run ended abnormally: what did not happen after that (end marker, plan, exit
    # status) follows from it and would only bury the cause.
    if any(l.startswith(GRUB_FAILED_MARKER) for l in lines):
        error = next((l for l in lines if l.startswith("error:")), "no error message")
        problems.append(f"GRUB could not boot the kernel: {error}")
    if panic and not expect.panic:
        problems.append(f"kernel panic: {panic[len(PANIC_MARKER):].strip()}")
    if expect.panic and not panic:
        problems.append("no kernel panic reported, but the test expects one")
    if outcome.timed_out:
        if expect.panic:
            waited_for = "panic seen, but the emulator did not exit" if panic else "no panic"
        elif end_seen:
            waited_for = f"end marker seen, but {outcome.emulator} did not exit"
        elif expect.end_marker:
            waited_for = "no end marker"
        else:
            waited_for = "the guest was still running"
        problems.append(f"timeout after {outcome.timeout:g} s ({waited_for})")
    if outcome.note and not end_seen:
        problems.append(f"{outcome.note} ({_describe_exit(outcome, explain=False)})")
    abnormal = bool(problems)

    if tap.bail_out is not None:
        problems.append(f"bail out: {tap.bail_out}")
    if failures := tap.failures:
        listed = ", ".join(t.label() for t in failures)
        problems.append(f"{len(failures)} of {len(tap.tests)} tests not ok: {listed}")
    problems.extend(tap.sequence_errors)

    if not abnormal:
        if not expect.panic:
            if expect.end_marker and not end_seen:
                problems.append(f"missing end marker ({_describe_exit(outcome)})")
            if expect.tap:
                problems.extend(_tap_shape_problems(tap))
        want = expect.exit_status
        if want is not None and outcome.exit_status != want:
            if outcome.exit_status is None:
                problems.append(f"{outcome.emulator} did not exit by itself "
                                f"(expected exit status {want})")
            else:
                problems.append(f"exit status {outcome.exit_status} (expected {want})")

    text = "\n".join(lines)
    for pattern in expect.patterns:
        if not re.search(pattern, text, re.MULTILINE):
            problems.append(f"expected output not found: /{pattern}/")

    if problems and outcome.note and end_seen:
        problems.append(f"{outcome.emulator}: {outcome.note}")

    if problems:
        return Verdict(False, f"FAIL: {problems[0]}", problems, tap)
    return Verdict(True, "PASS: " + _summary(tap, panic, expect), problems, tap)


def _tap_shape_problems(tap: Tap) -> list[str]:
    if not tap.present:
        return ["no TAP output (no test lines and no plan)"]
    if not tap.plans:
        return [f"no plan line (1..N); {_tests(len(tap.tests))} ran"]
    if len(tap.plans) > 1:
        return [f"{len(tap.plans)} plan lines; TAP allows one"]
    planned, directive = tap.plans[0]
    if planned != len(tap.tests):
        return [f"plan says {_tests(planned)}, {len(tap.tests)} ran"]
    if planned == 0 and not directive.upper().startswith("SKIP"):
        return ["plan 1..0 without a SKIP reason: nothing was tested"]
    return []


def _tests(n: int) -> str:
    return f"{n} test" if n == 1 else f"{n} tests"


def _summary(tap: Tap, panic: str | None, expect: Expectations) -> str:
    if expect.panic:
        return f"kernel panic caught as expected: {panic[len(PANIC_MARKER):].strip()}"
    if not tap.present:
        return "booted; expected output found" if expect.patterns else "booted"
    skipped = sum(t.directive == "SKIP" for t in tap.tests)
    todo = sum(t.directive == "TODO" for t in tap.tests)
    ok = len(tap.tests) - skipped - todo
    text = f"{ok} of {len(tap.tests)} tests ok"
    if skipped:
        text += f", {skipped} skipped"
    if todo:
        text += f", {todo} todo"
    if tap.plans and tap.plans[0][0] == 0:
        text += f" (all skipped: {tap.plans[0][1]})"
    return text
