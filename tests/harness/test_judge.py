#!/usr/bin/env python3
"""Unit tests of the verdicts in tests/system/judge.py: every way a run can pass or fail,
without booting anything. Run: python3 tests/harness/test_judge.py (ctest: harness-tap)."""

import sys
import unittest
from pathlib import Path

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "system"))
from judge import (  # noqa: E402
    QEMU_EXIT_PANIC, QEMU_EXIT_SUCCESS, Expectations, Outcome, clean_lines, judge, parse_tap)

EXITED_OK = Outcome(exit_status=QEMU_EXIT_SUCCESS)
BANNER = "Axolotl 0.1 booting\r\ncpu: GenuineIntel family 5 model 2 stepping 5\r\n"


def log(*lines: str, end: bool = True) -> str:
    body = "".join(line + "\r\n" for line in lines)
    return BANNER + body + ("AXOLOTL: END OF TESTS\r\n" if end else "")


class Passing(unittest.TestCase):
    def test_all_ok(self):
        v = judge(log("TAP version 13", "1..3", "ok 1 - a", "ok 2 - b", "# note", "ok 3 - c"),
                  EXITED_OK, Expectations())
        self.assertTrue(v.passed, v.problems)
        self.assertEqual(v.reason, "PASS: 3 of 3 tests ok")

    def test_plan_last(self):
        v = judge(log("TAP version 13", "ok 1 - a", "ok 2 - b", "1..2"), EXITED_OK, Expectations())
        self.assertTrue(v.passed, v.problems)

    def test_unnumbered_tests_are_numbered_in_order(self):
        v = judge(log("1..2", "ok - a", "ok"), EXITED_OK, Expectations())
        self.assertTrue(v.passed, v.problems)
        self.assertEqual([t.number for t in v.tap.tests], [1, 2])

    def test_skip_is_not_a_failure(self):
        v = judge(log("1..3", "ok 1 - a", "ok 2 - fpu # SKIP no fpu", "not ok 3 - b # skip later"),
                  EXITED_OK, Expectations())
        self.assertTrue(v.passed, v.problems)
        self.assertEqual(v.tap.tests[1].directive, "SKIP")
        self.assertEqual(v.tap.tests[1].reason, "no fpu")
        self.assertEqual(v.tap.tests[1].description, "fpu")
        self.assertIn("2 skipped", v.reason)

    def test_failing_todo_is_not_a_failure(self):
        v = judge(log("1..2", "ok 1 - a", "not ok 2 - known bug # TODO fix it"), EXITED_OK,
                  Expectations())
        self.assertTrue(v.passed, v.problems)
        self.assertIn("1 todo", v.reason)

    def test_escaped_hash_is_part_of_the_description(self):
        v = judge(log("1..1", r"not ok 1 - issue \# SKIP was here"), EXITED_OK, Expectations())
        self.assertFalse(v.passed)
        self.assertIsNone(v.tap.tests[0].directive)

    def test_skip_all_plan(self):
        v = judge(log("TAP version 13", "1..0 # SKIP no tests on this CPU"), EXITED_OK,
                  Expectations())
        self.assertTrue(v.passed, v.problems)

    def test_expected_patterns(self):
        v = judge(log("1..1", "ok 1"), EXITED_OK,
                  Expectations(patterns=(r"Axolotl .* booting", r"cpu: .*family 5")))
        self.assertTrue(v.passed, v.problems)

    def test_end_marker_without_final_newline(self):
        # Bochs drops the last bytes when the guest powers it off before the UART drained.
        raw = log("1..1", "ok 1", end=False) + "AXOLOTL: END OF TESTS"
        self.assertTrue(judge(raw, EXITED_OK, Expectations()).passed)

    def test_boot_only_check_without_tap(self):
        v = judge(BANNER + "AXOLOTL: END OF TESTS\n", EXITED_OK,
                  Expectations(tap=False, patterns=(r"booting",)))
        self.assertTrue(v.passed, v.problems)

    def test_boot_only_check_without_end_marker(self):
        v = judge(BANNER, Outcome(exit_status=None),
                  Expectations(tap=False, end_marker=False, patterns=(r"booting",),
                               exit_status=None))
        self.assertTrue(v.passed, v.problems)

    def test_bochs_has_no_exit_status(self):
        v = judge(log("1..1", "ok 1"), Outcome(emulator="Bochs", exit_status=None),
                  Expectations(exit_status=None))
        self.assertTrue(v.passed, v.problems)


class Failing(unittest.TestCase):
    def assertFails(self, raw, outcome, expect, reason):
        v = judge(raw, outcome, expect)
        self.assertFalse(v.passed)
        self.assertEqual(v.reason, "FAIL: " + reason)
        return v

    def test_a_not_ok(self):
        self.assertFails(log("1..3", "ok 1 - a", "not ok 2 - foo", "ok 3 - c"), EXITED_OK,
                         Expectations(), "1 of 3 tests not ok: 2 - foo")

    def test_several_not_ok_are_listed(self):
        self.assertFails(log("1..4", "ok 1 - a", "not ok 2 - foo", "ok 3", "not ok 4 - bar"),
                         EXITED_OK, Expectations(), "2 of 4 tests not ok: 2 - foo, 4 - bar")

    def test_plan_mismatch(self):
        self.assertFails(log("1..10", *[f"ok {i}" for i in range(1, 9)]), EXITED_OK,
                         Expectations(), "plan says 10 tests, 8 ran")

    def test_plan_mismatch_with_late_plan(self):
        self.assertFails(log("ok 1", "ok 2", "1..3"), EXITED_OK, Expectations(),
                         "plan says 3 tests, 2 ran")

    def test_no_plan(self):
        self.assertFails(log("TAP version 13", "ok 1"), EXITED_OK, Expectations(),
                         "no plan line (1..N); 1 test ran")

    def test_two_plans(self):
        self.assertFails(log("1..1", "ok 1", "1..1"), EXITED_OK, Expectations(),
                         "2 plan lines; TAP allows one")

    def test_out_of_sequence(self):
        self.assertFails(log("1..2", "ok 1", "ok 3"), EXITED_OK, Expectations(),
                         "test 3 out of sequence (expected 2)")

    def test_missing_end_marker(self):
        self.assertFails(log("1..1", "ok 1", end=False), EXITED_OK, Expectations(),
                         "missing end marker (QEMU exited with status 33)")

    def test_no_tap_at_all(self):
        self.assertFails(log(), EXITED_OK, Expectations(),
                         "no TAP output (no test lines and no plan)")

    def test_panic(self):
        raw = log("1..2", "ok 1", "KERNEL PANIC: page fault at 0xdead in thread 3",
                  "eax=00000000 ebx=...", end=False)
        v = self.assertFails(raw, Outcome(exit_status=QEMU_EXIT_PANIC), Expectations(),
                             "kernel panic: page fault at 0xdead in thread 3")
        # What a panic implies (no end marker, short plan, status 35) is not piled on top.
        self.assertEqual(len(v.problems), 1, v.problems)

    def test_panic_in_the_middle_of_a_line(self):
        raw = log("1..2", "ok 1 - halfKERNEL PANIC: double fault", end=False)
        self.assertFails(raw, Outcome(exit_status=QEMU_EXIT_PANIC), Expectations(),
                         "kernel panic: double fault")

    def test_panic_expected_and_caught(self):
        raw = log("KERNEL PANIC: deliberate", "eax=0", end=False)
        v = judge(raw, Outcome(exit_status=QEMU_EXIT_PANIC),
                  Expectations(panic=True, exit_status=QEMU_EXIT_PANIC))
        self.assertTrue(v.passed, v.problems)
        self.assertEqual(v.reason, "PASS: kernel panic caught as expected: deliberate")

    def test_panic_expected_but_wrong_exit_status(self):
        raw = log("KERNEL PANIC: deliberate", end=False)
        self.assertFails(raw, Outcome(exit_status=1),
                         Expectations(panic=True, exit_status=QEMU_EXIT_PANIC),
                         "exit status 1 (expected 35)")

    def test_panic_expected_but_none(self):
        self.assertFails(log("1..1", "ok 1"), EXITED_OK,
                         Expectations(panic=True, exit_status=QEMU_EXIT_PANIC),
                         "no kernel panic reported, but the test expects one")

    def test_timeout(self):
        self.assertFails(log("1..5", "ok 1", end=False),
                         Outcome(exit_status=None, timed_out=True, timeout=30), Expectations(),
                         "timeout after 30 s (no end marker)")

    def test_timeout_after_end_marker(self):
        self.assertFails(log("1..1", "ok 1"), Outcome(exit_status=None, timed_out=True, timeout=5),
                         Expectations(), "timeout after 5 s (end marker seen, but QEMU did not exit)")

    def test_wrong_exit_status(self):
        self.assertFails(log("1..1", "ok 1"), Outcome(exit_status=1), Expectations(),
                         "exit status 1 (expected 33)")

    def test_stopped_by_runner_after_end_marker(self):
        self.assertFails(log("1..1", "ok 1"), Outcome(exit_status=None), Expectations(),
                         "QEMU did not exit by itself (expected exit status 33)")

    def test_triple_fault_note_is_the_reason(self):
        self.assertFails(log("1..2", "ok 1", end=False), Outcome(exit_status=0, note="triple fault"),
                         Expectations(), "triple fault (QEMU exited with status 0)")

    def test_missing_pattern(self):
        self.assertFails(log("1..1", "ok 1"), EXITED_OK,
                         Expectations(patterns=(r"features:.*\bcx8\b",)),
                         r"expected output not found: /features:.*\bcx8\b/")

    def test_bail_out(self):
        self.assertFails(log("1..3", "ok 1", "Bail out! no memory"), EXITED_OK, Expectations(),
                         "bail out: no memory")

    def test_grub_failure(self):
        raw = ("error: file `/boot/kernel.elf' not found.\n"
               "error: you need to load the kernel first.\n"
               "AXOLOTL: GRUB FAILED TO BOOT THE KERNEL\n")
        self.assertFails(raw, Outcome(emulator="Bochs"), Expectations(exit_status=None),
                         "GRUB could not boot the kernel: error: file `/boot/kernel.elf' not found.")


class Noise(unittest.TestCase):
    """Only exact TAP lines count: boot loader and kernel chatter must not."""

    GRUB = ("\x1b[H\x1b[J\x1b[1;1H\x1b[H\x1b[J\x1b[1;1H  Booting `Axolotl'\n\r\n\r"
            "\x1b[0m\x1b[37m")

    def test_grub_escapes_before_the_banner(self):
        raw = self.GRUB + log("TAP version 13", "1..1", "ok 1 - a")
        v = judge(raw, EXITED_OK, Expectations(patterns=(r"^Axolotl .* booting$",)))
        self.assertTrue(v.passed, v.problems)

    def test_escape_glued_to_a_tap_line(self):
        raw = BANNER + "\x1b[1;1HTAP version 13\r\n1..1\r\n\x1b[0mok 1\r\nAXOLOTL: END OF TESTS\r\n"
        self.assertTrue(judge(raw, EXITED_OK, Expectations()).passed)

    def test_chatter_that_looks_like_tap(self):
        raw = log("TAP version 13", "boot: looking ok 1", "okay, 3 modules",
                  "  ok 7 - indented subtest", "not okay", "1..1", "ok 1", "sched: ok 2 - no test",
                  "ok_flag=1", "Booting `ok 3'")
        v = judge(raw, EXITED_OK, Expectations())
        self.assertTrue(v.passed, v.problems)
        self.assertEqual(len(v.tap.tests), 1)

    def test_lines_before_the_version_line_are_not_tap(self):
        # A boot loader line that happens to read "ok" must not shift the numbering.
        raw = BANNER + "ok\r\nTAP version 13\r\n1..1\r\nok 1\r\nAXOLOTL: END OF TESTS\r\n"
        self.assertTrue(judge(raw, EXITED_OK, Expectations()).passed)

    def test_tap_after_the_end_marker_is_ignored(self):
        raw = log("1..1", "ok 1") + "not ok 2 - after the end\r\n"
        self.assertTrue(judge(raw, EXITED_OK, Expectations()).passed)

    def test_clean_lines(self):
        self.assertEqual(clean_lines("a\r\n\rb\r\nc\x1b[2Jd\x07\r\n"), ["a", "b", "cd"])
        self.assertEqual(clean_lines("partial"), ["partial"])

    def test_parse_directive_case(self):
        tap = parse_tap(["1..1", "ok 1 - x # Skipped: no disk"])
        self.assertEqual(tap.tests[0].directive, "SKIP")
        self.assertEqual(tap.tests[0].reason, "no disk")


if __name__ == "__main__":
    unittest.main(verbosity=2)
