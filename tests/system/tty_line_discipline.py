#!/usr/bin/env python3
"""tty-line-discipline: types at tests/guest/tty/tty_test through the tty server on COM1 and
checks what a person would see (the echo), while the guest checks what it read (its TAP).

    tty_line_discipline.py RUNNER_ARGUMENTS...     (qemu_run.py's)
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harness"))
from serial_terminal import (BACKSPACE, CTRL_BACKSLASH, CTRL_C, CTRL_D, CTRL_U, CTRL_W, CTRL_Z, DEL,  # noqa: E402
                             ENTER, SerialTerminal, TerminalError, render)

TAG = "tty-line-discipline"


def scenario(t: SerialTerminal) -> None:
    t.expect(r"# ready: erase")
    t.type(b"helx" + DEL + b"lo" + ENTER)
    t.expect_line("hello")
    t.expect(r"# ready: backspace")
    t.type(b"ab" + BACKSPACE + b"c" + ENTER)
    t.expect_line("ac")
    t.expect(r"# ready: kill")
    t.type(b"junk" + CTRL_U + b"good" + ENTER)
    t.expect_line("good")
    t.expect(r"# ready: werase")
    t.type(b"one two" + CTRL_W + b"three" + ENTER)
    t.expect_line("one three")
    t.expect(r"# ready: two-lines")
    t.type(b"first" + ENTER + b"second" + ENTER)

    t.expect(r"# ready: poll\r?\n")
    time.sleep(0.2)
    t.type(b"pol")  # half a line: poll must go on waiting
    time.sleep(0.3)
    t.type(b"led" + ENTER)
    t.expect(r"ok \d+ - poll on stdin wakes when a whole line is typed")
    t.expect(r"# ready: select-raw\r?\n")
    time.sleep(0.2)
    t.type(b"q")  # one of VMIN's two bytes
    time.sleep(0.3)
    t.type(b"r")
    t.expect(r"ok \d+ - select on stdin in raw mode wakes at VMIN")

    t.expect(r"# ready: noecho\r?\n")
    start = t.position()
    t.type(b"secret" + ENTER)
    t.expect(r"ok \d+ - with ECHO off")
    if "secret" in t.text(start):
        raise TerminalError(f"echo was off, yet the screen shows {render(t.text(start))!r}")
    t.expect(r"# ready: eof\r?\n")
    t.type(CTRL_D)
    t.expect(r"# ready: eof-after-text")
    t.type(b"abc" + CTRL_D)

    t.expect(r"# ready: raw\r?\n")
    start = t.position()
    t.type(b"x" + DEL + CTRL_C)
    t.expect(r"ok \d+ - raw mode")
    shown = t.text(start).split("ok ")[0]  # what came before the guest's verdict
    if shown.strip():
        raise TerminalError(f"raw mode without ECHO showed {shown!r}")
    t.expect(r"# ready: vmin")
    t.type(b"wx")
    time.sleep(0.5)  # the read must still wait: only two of four bytes came
    t.type(b"yz")

    t.expect(r"# ready: sigint")
    t.type(CTRL_C)
    t.expect(r"\^C")  # what the person sees, before the handler's line
    t.expect(r"# handler: got SIGINT")
    t.expect(r"# ready: sigquit")
    t.type(b"lost" + CTRL_BACKSLASH)
    t.expect(r"\^\\")
    t.expect(r"# handler: got SIGQUIT")
    t.expect(r"# ready: after-signal")
    t.type(b"kept" + ENTER)
    t.expect_line("kept")

    t.expect(r"# ready: sigtstp")
    t.type(CTRL_Z)
    t.expect(r"\^Z")
    t.expect(r"ok \d+ - \^Z stops the foreground job")


def main() -> int:
    from serial_terminal import run_with_terminal
    return run_with_terminal(TAG, sys.argv[1:], scenario)


if __name__ == "__main__":
    sys.exit(main())
