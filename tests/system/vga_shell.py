#!/usr/bin/env python3
"""vga-shell: a person at the VGA console of the system `./axo run` boots — the screen and the
PS/2 keyboard, the tty server's second terminal (/dev/tty1) — while another one uses the serial
console. Keys are typed with QEMU's monitor (`sendkey`), the screen is read from guest memory
(`pmemsave` of the text buffer at 0xB8000): a command's output, ^C ending `sleep 100`
on the VGA terminal while the serial shell keeps working, `clear`, vi on the full screen, and
init starting a new shell when the VGA one exits.

    vga_shell.py RUNNER_ARGUMENTS...     (qemu_run.py's)
"""
from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, str(HERE.parent / "harness"))
sys.path.insert(0, str(HERE))
from console_monitor import Qmp  # noqa: E402
from serial_terminal import ENTER, SerialTerminal, TerminalError, run_with_terminal  # noqa: E402

TAG = "vga-shell"
PROMPT = r"# $"
VGA_TEXT = 0xB8000
COLUMNS, ROWS = 80, 25
WORK = Path(tempfile.mkdtemp(prefix="axo-vga-"))
QMP_PATH = WORK / "qmp.sock"

# Characters as QEMU key names (US layout), for `sendkey`.
_NAMED = {" ": "spc", "\n": "ret", "-": "minus", "=": "equal", "/": "slash", ".": "dot",
          ",": "comma", ";": "semicolon", "'": "apostrophe", "\\": "backslash",
          "[": "bracket_left", "]": "bracket_right", "`": "grave_accent"}
_SHIFTED = {"!": "1", "@": "2", "#": "3", "$": "4", "%": "5", "^": "6", "&": "7", "*": "8",
            "(": "9", ")": "0", "_": "minus", "+": "equal", "?": "slash", ">": "dot", "<": "comma",
            ":": "semicolon", '"': "apostrophe", "|": "backslash", "{": "bracket_left",
            "}": "bracket_right", "~": "grave_accent"}


def key_name(c: str) -> str:
    if c.isdigit() or ("a" <= c <= "z"):
        return c
    if "A" <= c <= "Z":
        return "shift-" + c.lower()
    if c in _NAMED:
        return _NAMED[c]
    if c in _SHIFTED:
        return "shift-" + _SHIFTED[c]
    raise ValueError(f"no key for {c!r}")


class Vga:
    """The VGA console through QEMU's monitor: the keyboard and the text screen."""

    def __init__(self):
        self.qmp = Qmp(QMP_PATH, time.monotonic() + 30)
        self.dump = WORK / "screen.bin"

    def key(self, name: str, pause: float = 0.06) -> None:
        """One key, held 30 ms. A lone ESC needs a longer pause after it, or vi takes it for the
        start of the next key's sequence (as a person's terminal would send it)."""
        self.qmp.hmp(f"sendkey {name} 30")
        time.sleep(pause)

    def type(self, text: str) -> None:
        for c in text:
            self.key(key_name(c))

    def screen(self) -> list[str]:
        """The 25 rows, without trailing blanks."""
        self.qmp.hmp(f"pmemsave {VGA_TEXT:#x} {COLUMNS * ROWS * 2} \"{self.dump}\"")
        data = self.dump.read_bytes()
        rows = []
        for r in range(ROWS):
            cells = data[r * COLUMNS * 2:(r + 1) * COLUMNS * 2:2]
            rows.append("".join(chr(b) if 0x20 <= b < 0x7F else "?" for b in cells).rstrip())
        return rows

    def wait(self, what: str, check, timeout: float = 30.0) -> list[str]:
        """Reads the screen until check(rows) is true; the rows then."""
        deadline = time.monotonic() + timeout
        while True:
            rows = self.screen()
            if check(rows):
                return rows
            if time.monotonic() > deadline:
                shown = "\n".join(f"  {i:2}|{row}" for i, row in enumerate(rows))
                raise TerminalError(f"the VGA screen never showed {what} within {timeout} s; "
                                    f"it shows:\n{shown}")
            time.sleep(0.3)

    def command(self, typed: str, *output: str, timeout: float = 30.0) -> list[str]:
        """Types `typed` and Enter; waits for the row `typed` was echoed on to be followed by
        rows equal to each of `output` (regexes, whole rows), one after the other, and then by
        a prompt."""
        self.type(typed + "\n")
        regexes = [re.compile(o) for o in output]

        def shown(rows: list[str]) -> bool:
            for i, row in enumerate(rows):
                if not (row.startswith("#") and row.endswith(typed)):
                    continue
                after = rows[i + 1:]
                if len(after) > len(regexes) and \
                        all(r.fullmatch(a) for r, a in zip(regexes, after)) and \
                        after[len(regexes)] == "#":
                    return True
            return False

        return self.wait(f"{typed!r} then {output!r} and a prompt", shown, timeout)

    def close(self) -> None:
        self.qmp.close()


def last_prompt_row(rows: list[str]) -> int:
    return max((i for i, row in enumerate(rows) if row == "#"), default=-1)


def serial_command(t: SerialTerminal, typed: str, shown: str, timeout: float = 30) -> None:
    t.type(typed.encode() + ENTER)
    t.expect(shown, timeout=timeout)
    t.expect(PROMPT, timeout=timeout)


def scenario(t: SerialTerminal) -> None:
    t.expect(PROMPT, timeout=90)
    vga = Vga()
    try:
        # init's second login shell is on the screen: its prompt, alone on the last used row.
        vga.wait("a prompt", lambda rows: last_prompt_row(rows) >= 0, timeout=60)
        vga.command("echo $((6*7))", "42")
        # ^C on the keyboard ends the VGA shell's foreground job; the serial shell meanwhile
        # runs commands of its own.
        vga.type("sleep 100\n")
        vga.wait("sleep 100 running", lambda rows: any(r == "# sleep 100" for r in rows))
        serial_command(t, "echo serial-$((1+1)) while the VGA shell sleeps", r"\r\nserial-2 while")
        vga.key("ctrl-c")
        vga.command("echo after-$((2*3))", "after-6", timeout=20)
        serial_command(t, "echo still-$((3*3))", r"\r\nstill-9\r\n")
        # clear: the screen blank, the prompt at the top.
        vga.type("clear\n")
        vga.wait("a cleared screen with the prompt on top",
                 lambda rows: rows[0] == "#" and all(r == "" for r in rows[1:]))
        # vi on the full screen: the file's line, '~' rows, the status line at the bottom; the
        # text written and shown by cat afterwards.
        vga.type("vi /tmp/vga.txt\n")
        vga.wait("vi's screen",
                 lambda rows: rows[1] == "~" and rows[23] == "~" and "/tmp/vga.txt" in rows[24])
        vga.type("ifirst line")
        vga.key("esc", pause=0.5)
        vga.type("osecond line")
        vga.key("esc", pause=0.5)
        vga.key("up", pause=0.5)
        vga.type("A, edited")
        vga.key("esc", pause=0.5)
        vga.wait("the edited text",
                 lambda rows: rows[0] == "first line, edited" and rows[1] == "second line"
                 and rows[2] == "~")
        vga.type(":wq\n")
        vga.command("cat /tmp/vga.txt", "first line, edited", "second line")
        # exit: init starts another login shell on the terminal.
        vga.type("clear\n")
        vga.wait("a cleared screen", lambda rows: rows[0] == "#" and rows[1] == "")
        vga.type("exit\n")
        vga.wait("a new shell's prompt after exit",
                 lambda rows: rows[0] == "# exit" and last_prompt_row(rows) >= 1)
        vga.command("echo again-$((5+5))", "again-10")
    finally:
        vga.close()
    t.type(b"echo vga-$((40 + 2))-done" + ENTER)
    t.expect(r"vga-42-done", timeout=20)


if __name__ == "__main__":
    args = sys.argv[1:] + ["--extra-qemu-arg=-qmp",
                           f"--extra-qemu-arg=unix:{QMP_PATH},server=on,wait=off"]
    status = run_with_terminal(TAG, args, scenario)
    for leftover in WORK.iterdir():
        leftover.unlink()
    WORK.rmdir()
    sys.exit(status)
