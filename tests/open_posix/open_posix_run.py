#!/usr/bin/env python3
"""Runs the Open POSIX Test Suite's boot and judges it (tests/open_posix/README.md).

    open_posix_run.py --expectations FILE --build-results FILE --report FILE
                      QEMU_RUN_ARGUMENTS...

qemu_run.py boots the system (its verdict: no panic, the end marker, the runner's exit status);
then every test of the suite gets one result: NOTBUILT or, for a build-only test, PASS from
build-suite.sh's build results; SKIP if the expectations say so; otherwise what the guest's
runner printed (`open-posix: <test> <RESULT>`), MISSING if it printed nothing for a test it
should have run. Each result is compared with the expectations file (`<test> <RESULT> <reason>`;
a test it does not list must PASS): the run fails on a result that differs — a new failure, or
a listed one that now passes, so that the list only shrinks. The report (counts per interface,
the tests that did not pass) is written on every run that got as far as judging.
"""

from __future__ import annotations

import collections
import re
import subprocess
import sys
from pathlib import Path

RESULT_LINE = re.compile(r"^open-posix: (\S+/\S+) (\S+)(?: \d+ms)?\s*$", re.MULTILINE)
PASSING = {"PASS"}
# The suite's own counts (its Makefile's run-tests) and ours.
COLUMNS = ["PASS", "FAIL", "UNRESOLVED", "UNSUPPORTED", "UNTESTED", "NOTBUILT", "SKIP", "OTHER"]


def column(result: str) -> str:
    return result if result in COLUMNS else "OTHER"


def read_expectations(path: Path) -> dict[str, tuple[str, str]]:
    expectations: dict[str, tuple[str, str]] = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 2)
        if len(parts) < 3:
            raise SystemExit(f"{path}:{number}: `<test> <RESULT> <reason>` expected: {line}")
        test, result, reason = parts
        if result == "PASS":
            raise SystemExit(f"{path}:{number}: {test}: a passing test is not listed")
        if test in expectations:
            raise SystemExit(f"{path}:{number}: {test} is listed twice")
        expectations[test] = (result, reason)
    return expectations


def read_build_results(path: Path) -> dict[str, str]:
    built: dict[str, str] = {}
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) == 2:
            built[parts[0]] = parts[1]
    return built


def split_arguments(arguments: list[str]) -> tuple[dict[str, str], list[str]]:
    ours = {"--expectations": "", "--build-results": "", "--report": ""}
    forwarded: list[str] = []
    index = 0
    while index < len(arguments):
        argument = arguments[index]
        name = argument.split("=", 1)[0]
        if name in ours:
            if "=" in argument:
                ours[name] = argument.split("=", 1)[1]
                index += 1
            else:
                ours[name] = arguments[index + 1]
                index += 2
            continue
        forwarded.append(argument)
        index += 1
    missing = [name for name, value in ours.items() if not value]
    if missing:
        raise SystemExit(f"open_posix_run.py: missing {', '.join(missing)}")
    return ours, forwarded


def log_path(forwarded: list[str]) -> Path:
    for argument in forwarded:
        if argument.startswith("--log="):
            return Path(argument.split("=", 1)[1])
    raise SystemExit("open_posix_run.py: --log=PATH is required")


def write_report(path: Path, results: dict[str, str], expectations: dict[str, tuple[str, str]],
                 run_summary: str) -> None:
    per_interface: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    totals: collections.Counter = collections.Counter()
    for test, result in results.items():
        per_interface[test.split("/", 1)[0]][column(result)] += 1
        totals[column(result)] += 1
    lines = [
        "# Open POSIX Test Suite on Axolotl: the last run",
        "",
        "Written by `tests/open_posix/open_posix_run.py` on every run of the ctest `open-posix`",
        "(tests/open_posix/README.md): the Open POSIX Test Suite 1.5.2 (Debian's `posixtestsuite`),",
        "its tests of the interfaces below built with `axo-cc` and run in the guest; each judged by",
        "its own exit status. NOTBUILT: the test does not compile or link against libposix and",
        "newlib; SKIP: not run, for the reason `tests/open_posix/expectations.txt` gives; OTHER: a",
        "time-out, a signal or another exit status. Why each test that does not pass fails is in",
        "the expectations file.",
        "",
        f"Guest: {run_summary}",
        "",
        "| interface | tests | " + " | ".join(c.lower() for c in COLUMNS) + " |",
        "|---|---:|" + "---:|" * len(COLUMNS),
    ]
    for interface in sorted(per_interface):
        counts = per_interface[interface]
        lines.append(f"| {interface} | {sum(counts.values())} | "
                     + " | ".join(str(counts[c]) for c in COLUMNS) + " |")
    lines.append(f"| **all** | **{sum(totals.values())}** | "
                 + " | ".join(f"**{totals[c]}**" for c in COLUMNS) + " |")
    lines += ["", "## Tests that do not pass", "", "| test | result | reason |", "|---|---|---|"]
    for test in sorted(results, key=sort_key):
        if results[test] in PASSING:
            continue
        reason = expectations.get(test, ("", "(not in the expectations: a new result)"))[1]
        lines.append(f"| {test} | {results[test]} | {reason} |")
    path.write_text("\n".join(lines) + "\n")


def sort_key(test: str) -> tuple:
    interface, name = test.split("/", 1)
    numbers = tuple(int(n) if n.isdigit() else 0 for n in re.split(r"[-]", name))
    return (interface, numbers, name)


def main() -> int:
    ours, forwarded = split_arguments(sys.argv[1:])
    log = log_path(forwarded)
    runner = Path(__file__).resolve().parent.parent / "system" / "qemu_run.py"
    boot = subprocess.run([sys.executable, str(runner), *forwarded], check=False)

    expectations = read_expectations(Path(ours["--expectations"]))
    built = read_build_results(Path(ours["--build-results"]))
    text = log.read_text(errors="replace") if log.exists() else ""
    printed = {m.group(1): m.group(2) for m in RESULT_LINE.finditer(text)}
    summary = re.search(r"^open-posix: (ran \d+: .*)$", text, re.MULTILINE)

    results: dict[str, str] = {}
    for test, state in built.items():
        if state == "NOTBUILT":
            results[test] = "NOTBUILT"
        elif state == "PASS":  # a build-only test: building it was the test
            results[test] = "PASS"
        elif expectations.get(test, ("", ""))[0] == "SKIP":
            results[test] = "SKIP"
        else:
            results[test] = printed.get(test, "MISSING")

    problems: list[str] = []
    for test in sorted(results, key=sort_key):
        expected = expectations.get(test, ("PASS", ""))[0]
        if results[test] == expected:
            continue
        if expected == "PASS":
            problems.append(f"{test}: {results[test]} (a new failure: list it with its reason, or fix it)")
        elif results[test] == "PASS":
            problems.append(f"{test}: PASS, listed as {expected}: remove it from the expectations")
        else:
            problems.append(f"{test}: {results[test]}, listed as {expected}")
    for test in sorted(expectations):
        if test not in results:
            problems.append(f"{test}: listed in the expectations but not a test of the suite here")

    write_report(Path(ours["--report"]), results, expectations,
                 summary.group(1) if summary else "no summary printed")
    counts = collections.Counter(column(r) for r in results.values())
    print("open-posix: " + ", ".join(f"{counts[c]} {c.lower()}" for c in COLUMNS)
          + f" of {len(results)} tests; report: {ours['--report']}")
    for problem in problems:
        print(f"open-posix: {problem}")
    if boot.returncode != 0:
        print(f"FAIL: the boot itself failed (qemu_run.py exited with {boot.returncode})")
        return 1 if boot.returncode != 77 else 77
    if problems:
        print(f"FAIL: {len(problems)} results differ from tests/open_posix/expectations.txt")
        return 1
    print("PASS: every result as tests/open_posix/expectations.txt says")
    return 0


if __name__ == "__main__":
    sys.exit(main())
