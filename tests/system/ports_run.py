#!/usr/bin/env python3
"""qemu_run.py, plus: the serial log must hold the lines of each OUTPUT file, consecutively and
exactly (apps/ports/check/README.md: what a port printed, checked against what the same
upstream version prints on the host).

    ports_run.py --expected-output FILE [--expected-output FILE]... QEMU_RUN_ARGUMENTS...

Each file becomes one --expect regex: its lines escaped, each at the start of a log line,
one after the other; only the servers' own log lines (proc's, mm's) may come between them.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path


# Lines the servers print on the same console while the port runs (proc logs each fork and
# exit): they may come between two lines of the port's output, and only they may.
SERVER_LINE = r"(?:(?:proc|mm|sigma0): [^\n]*\n)*"


def expect_argument(path: Path) -> str:
    lines = path.read_text().splitlines()
    body = ("[ \t]*\n" + SERVER_LINE).join(re.escape(line) for line in lines)
    return f"--expect=(?m)^{body}[ \t]*$"


def main() -> int:
    arguments = sys.argv[1:]
    forwarded: list[str] = []
    index = 0
    while index < len(arguments):
        argument = arguments[index]
        if argument == "--expected-output" and index + 1 < len(arguments):
            forwarded.append(expect_argument(Path(arguments[index + 1])))
            index += 2
            continue
        if argument.startswith("--expected-output="):
            forwarded.append(expect_argument(Path(argument.split("=", 1)[1])))
            index += 1
            continue
        forwarded.append(argument)
        index += 1
    runner = Path(__file__).resolve().parent / "qemu_run.py"
    os.execv(sys.executable, [sys.executable, str(runner), *forwarded])
    return 1


if __name__ == "__main__":
    sys.exit(main())
