#!/usr/bin/env python3
"""End-to-end tests of qemu_run.py and bochs_run.py: boot the fake kernel (fake_kernel.c)
in each of its modes and check the runner's exit status, its one-line verdict and that it
stays within its time bounds.

    test_runners.py --kernel FAKE_KERNEL --log-dir DIR --emulator qemu|bochs [unittest args]
"""

import argparse
import subprocess
import sys
import time
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QEMU_RUN = ROOT / "tests" / "system" / "qemu_run.py"
BOCHS_RUN = ROOT / "tests" / "bochs" / "bochs_run.py"
HARNESS_ERROR = 77

OPTIONS = argparse.Namespace()
PASS_LINE = "PASS: 2 of 4 tests ok, 1 skipped, 1 todo"


def run(runner: Path, name: str, *args: str, limit: float = 60):
    """Runs a runner on the fake kernel; returns (status, last line, seconds, output)."""
    log = OPTIONS.log_dir / f"{name}.log"
    cmd = [sys.executable, str(runner), f"--kernel={OPTIONS.kernel}", f"--log={log}", *args]
    start = time.monotonic()
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=limit)
    elapsed = time.monotonic() - start
    lines = p.stdout.strip().splitlines()
    return p.returncode, (lines[-1] if lines else ""), elapsed, p.stdout + p.stderr


class RunnerTest(unittest.TestCase):
    runner: Path

    def check(self, name, mode, status, verdict, *args, within=None, extra_words=""):
        cmdline = f"mode={mode} {extra_words}".strip()
        code, last, elapsed, output = run(self.runner, name, f"--append={cmdline}", *args)
        self.assertEqual((code, last), (status, verdict), output)
        if within is not None:
            self.assertLess(elapsed, within, output)
        return output


class Qemu(RunnerTest):
    runner = QEMU_RUN

    def test_pass(self):
        self.check("q-pass", "pass", 0, PASS_LINE)

    def test_pass_icount(self):
        self.check("q-icount", "pass", 0, PASS_LINE, "--icount")

    def test_pass_through_grub(self):
        module = Path(__file__)
        self.check("q-grub", "pass", 0, PASS_LINE, "--grub", f"--module={module} name a=b",
                   f"--expect=module: '/boot/modules/{module.name} name a=b'")

    def test_modules(self):
        # qemu_run passes each module through a short link in a fresh /tmp directory (so that
        # a deep checkout does not fill the KIP's 119-byte command line); the name stays.
        module = Path(__file__)
        self.check("q-modules", "pass", 0, PASS_LINE, f"--module={module} one x=1,2",
                   f"--module={module}",
                   f"--expect=module: '/tmp/a\\w+/0/{module.name} one x=1,2' size \\d+",
                   f"--expect=module: '/tmp/a\\w+/1/{module.name}' size \\d+")

    def test_not_ok(self):
        self.check("q-not-ok", "not-ok", 1, "FAIL: 1 of 4 tests not ok: 2 - deliberately failing")

    def test_panic_fails(self):
        self.check("q-panic", "panic", 1, "FAIL: kernel panic: deliberate panic of the fake kernel")

    def test_expected_panic(self):
        self.check("q-expect-panic", "panic", 0,
                   "PASS: kernel panic caught as expected: deliberate panic of the fake kernel",
                   "--expect-panic", within=10)

    def test_expected_panic_missing(self):
        self.check("q-expect-panic-missing", "pass", 1,
                   "FAIL: no kernel panic reported, but the test expects one", "--expect-panic")

    def test_timeout(self):
        self.check("q-timeout", "hang", 1, "FAIL: timeout after 3 s (no end marker)",
                   "--timeout=3", within=8)

    def test_missing_end_marker(self):
        self.check("q-no-end-marker", "no-end-marker", 1,
                   "FAIL: missing end marker (QEMU exited with status 33)")

    def test_no_exit_after_end_marker(self):
        self.check("q-no-exit", "no-exit", 1,
                   "FAIL: QEMU did not exit by itself (expected exit status 33)", within=10)

    def test_plan_mismatch(self):
        self.check("q-plan", "plan-mismatch", 1, "FAIL: plan says 6 tests, 4 ran")

    def test_no_tap(self):
        self.check("q-no-tap", "no-tap", 1, "FAIL: no TAP output (no test lines and no plan)")

    def test_no_tap_allowed(self):
        self.check("q-no-tap-ok", "no-tap", 0, "PASS: booted; expected output found", "--no-tap",
                   "--expect=fake-kernel booting")

    def test_boot_only_stops_when_expectations_met(self):
        self.check("q-boot-only", "hang", 0, "PASS: booted; expected output found", "--no-tap",
                   "--no-end-marker", "--expect=fake-kernel booting", "--expect=cpu: .*family",
                   within=10)

    def test_missing_expected_output(self):
        self.check("q-missing-expect", "pass", 1, "FAIL: expected output not found: /no such line/",
                   "--expect=no such line")

    def test_triple_fault(self):
        self.check("q-triple", "triple-fault", 1, "FAIL: triple fault (QEMU exited with status 0)")

    def test_missing_kernel_is_a_harness_error(self):
        p = subprocess.run([sys.executable, str(QEMU_RUN), "--kernel=/nonexistent/kernel.elf"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, HARNESS_ERROR, p.stdout)


class Bochs(RunnerTest):
    runner = BOCHS_RUN

    def test_pass_on_a_pentium(self):
        self.check("b-pass", "pass", 0, PASS_LINE, "--expect=cpu: .*family 5",
                   r"--expect=features:.*\bfpu\b.*\btsc\b.*\bcx8\b")

    def test_pass_guest_powers_off(self):
        self.check("b-shutdown", "pass", 0, PASS_LINE, extra_words="shutdown=bochs")

    def test_panic_fails(self):
        self.check("b-panic", "panic", 1, "FAIL: kernel panic: deliberate panic of the fake kernel")

    def test_triple_fault(self):
        self.check("b-triple", "triple-fault", 1,
                   "FAIL: Bochs panic: exception(): 3rd (13) exception with no resolution "
                   "(Bochs exited with status 1)")

    def test_timeout(self):
        self.check("b-timeout", "hang", 1, "FAIL: timeout after 6 s (no end marker)",
                   "--timeout=6", within=15)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--kernel", type=Path, required=True)
    p.add_argument("--log-dir", type=Path, required=True)
    p.add_argument("--emulator", choices=["qemu", "bochs"], required=True)
    args, rest = p.parse_known_args()
    vars(OPTIONS).update(vars(args))
    OPTIONS.log_dir.mkdir(parents=True, exist_ok=True)
    suite = Qemu if args.emulator == "qemu" else Bochs
    unittest.main(argv=[sys.argv[0], *rest], defaultTest=suite.__name__, verbosity=2)


if __name__ == "__main__":
    main()
