#!/usr/bin/env python3
"""shell-session: a person at the serial console of the system `./axo run` boots — init's login
shell (dash, /bin/sh on the ext2 root) with busybox's utilities, lua and sqlite3 — types
commands and checks what the screen shows.

    shell_session.py RUNNER_ARGUMENTS...     (qemu_run.py's)
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harness"))
from serial_terminal import CTRL_C, ENTER, SerialTerminal, run_with_terminal  # noqa: E402

TAG = "shell-session"
PROMPT = r"# $"

# (what is typed, the lines the output must show before the next prompt, each a regex). proc's
# own log lines (a child's exit) share the console and may come between any two.
COMMANDS = [
    # a pipeline of busybox applets, programs found through PATH on the disk
    ("ls /bin | sort | head -n 3", ["ash", "busybox", "cat"]),
    # redirections into a file on tmpfs, the working directory
    ("cd /tmp && echo data > f && echo more >> f && wc -l < f && pwd", ["2", "/tmp"]),
    # a here-document and command substitution (both pipes in dash)
    ("cat <<END\nhere $(echo doc)\nEND", ["here doc"]),
    # a script with a function, a loop and a trap on EXIT, run by a second dash
    ("printf 'f() { echo \"[$1]\"; }\\ntrap \"echo bye\" EXIT\\nfor i in 1 2; do f $i; done\\n' > s.sh"
     " && sh s.sh", [r"\[1\]", r"\[2\]", "bye"]),
    ("seq 1 100 | awk '{s+=$1} END {print s}'", ["5050"]),
    ("lua -e 'local t = {} for i = 1, 6 do t[i] = i end print(#t * 7)'", ["42"]),
    ("sqlite3 :memory: 'create table t(a); insert into t values (6), (7); select a * 6 from t "
     "order by a;'", ["36", "42"]),
    # a gzip round trip through a pipe and a file, checked by checksums
    ("gzip -c < /etc/passwd > /tmp/p.gz && gunzip -c /tmp/p.gz | md5sum > c && md5sum < /etc/passwd"
     " > d && cmp c d && echo round-trip && test -s /tmp/p.gz && echo non-empty",
     ["round-trip", "non-empty"]),
    ("cat /etc/passwd | md5sum > a; md5sum < /etc/passwd > b; cmp a b && echo same", ["same"]),
    ("echo $((6 * 7)) $(id -u 2>/dev/null || echo 0)", ["42 0"]),
]


PROC_LINES = r"(?:proc: [^\r\n]*\r\n)*"


def lines(shown: list[str]) -> str:
    """The regex of `shown` as whole lines, one after the other, proc's lines allowed between."""
    return r"\r\n" + PROC_LINES + ("\r\n" + PROC_LINES).join(shown) + r"\r\n"


def scenario(t: SerialTerminal) -> None:
    t.expect(PROMPT, timeout=60)
    for typed, shown in COMMANDS:
        t.type(typed.encode() + ENTER)
        t.expect(lines(shown), timeout=30)
        t.expect(PROMPT, timeout=30)
    # ^C interrupts a foreground job; the shell prompts again and goes on
    t.type(b"sleep 100" + ENTER)
    time.sleep(1.0)
    t.type(CTRL_C)
    t.expect(PROMPT, timeout=20)
    t.type(b"echo session-$((40 + 2))-done" + ENTER)
    t.expect(r"session-42-done", timeout=20)


if __name__ == "__main__":
    sys.exit(run_with_terminal(TAG, sys.argv[1:], scenario))
