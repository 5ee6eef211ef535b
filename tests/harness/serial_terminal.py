"""A person at the guest's serial console, for tests: types keys into COM1 and reads what the
guest shows there.

qemu_run.py --com1-socket PATH serves COM1 on a Unix socket (QEMU waits for this end to
connect) and still writes every byte the guest sends to the serial log the runner judges.

    from serial_terminal import SerialTerminal, run_with_terminal, CTRL_C

    def scenario(t: SerialTerminal) -> None:
        t.expect(r"# ready: erase")
        t.type(b"helx" + DEL + b"lo\\r")
        t.expect_line("hello")            # the line as the screen shows it, after erasing

    sys.exit(run_with_terminal("tty-line-discipline", runner_args, scenario))

A scenario raises TerminalError (or any exception) to fail; each expect has a deadline, so a
guest that never prints fails the step that waited, not the whole run's timeout.
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
QEMU_RUN = ROOT / "tests" / "system" / "qemu_run.py"

CTRL_C = b"\x03"
CTRL_D = b"\x04"
BACKSPACE = b"\x08"  # ^H
CTRL_U = b"\x15"
CTRL_W = b"\x17"
CTRL_Z = b"\x1a"
CTRL_BACKSLASH = b"\x1c"
DEL = b"\x7f"
ENTER = b"\r"        # what a terminal sends for the Enter key
ESC = b"\x1b"
# What a VT100/xterm sends for the cursor keys (normal cursor mode)
UP = ESC + b"[A"
DOWN = ESC + b"[B"
RIGHT = ESC + b"[C"
LEFT = ESC + b"[D"


class TerminalError(Exception):
    pass


def render(text: str) -> list[str]:
    """The lines a person sees for `text` on a dumb terminal: \\r returns to column 0, \\b moves
    one column left (not past 0), printable characters overwrite, \\n starts a new line."""
    lines: list[str] = []
    line: list[str] = []
    column = 0
    for ch in text:
        if ch == "\n":
            lines.append("".join(line).rstrip())
            line, column = [], 0
        elif ch == "\r":
            column = 0
        elif ch == "\b":
            column = max(0, column - 1)
        elif ch == "\t":
            column = (column | 7) + 1
        elif ch >= " " and ch != "\x7f":
            while len(line) <= column:
                line.append(" ")
            line[column] = ch
            column += 1
    lines.append("".join(line).rstrip())
    return lines


class SerialTerminal:
    """The host end of COM1. A reader thread keeps everything the guest sent (so the guest's
    UART never waits for us); `expect` searches it from the last mark on."""

    def __init__(self, path: Path | None, connect_timeout: float = 30.0, step_timeout: float = 20.0,
                 alive: Callable[[], bool] = lambda: True, sock: socket.socket | None = None,
                 log: Path | None = None):
        """Connects to QEMU's Unix socket at `path`, or takes `sock`, an emulator's connection
        already accepted (Bochs connects to its host end); with `log`, every byte received is
        also appended to that file (the serial log, when the emulator does not write it)."""
        self.step_timeout = step_timeout
        self._received = bytearray()
        self._mark = 0
        self._lock = threading.Condition()
        self._closed = False
        self._log = open(log, "ab", buffering=0) if log is not None else None
        deadline = time.monotonic() + connect_timeout
        self.sock = sock or socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        while sock is None:
            try:
                self.sock.connect(str(path))
                break
            except (FileNotFoundError, ConnectionRefusedError):
                if not alive():
                    raise TerminalError("the runner ended before QEMU served COM1")
                if time.monotonic() > deadline:
                    raise TerminalError(f"QEMU never served COM1 at {path}")
                time.sleep(0.05)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while True:
            try:
                data = self.sock.recv(4096)
            except OSError:
                data = b""
            if data and self._log is not None:
                try:
                    self._log.write(data)
                except ValueError:  # closed by close() meanwhile
                    pass
            with self._lock:
                if not data:
                    self._closed = True
                    self._lock.notify_all()
                    return
                self._received += data
                self._lock.notify_all()

    def text(self, start: int = 0) -> str:
        with self._lock:
            return self._received[start:].decode("latin-1")

    def position(self) -> int:
        with self._lock:
            return len(self._received)

    def expect(self, pattern: str, timeout: float | None = None) -> re.Match:
        """Waits until `pattern` (a regex) matches what arrived since the last expect; the mark
        moves past the match."""
        regex = re.compile(pattern, re.MULTILINE)
        deadline = time.monotonic() + (timeout or self.step_timeout)
        with self._lock:
            while True:
                text = self._received[self._mark:].decode("latin-1")
                match = regex.search(text)
                if match:
                    self._mark += match.end()
                    return match
                if self._closed:
                    raise TerminalError(f"the guest's console closed before {pattern!r}; "
                                        f"last output: {text[-300:]!r}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TerminalError(f"no {pattern!r} within {timeout or self.step_timeout} s; "
                                        f"last output: {text[-300:]!r}")
                self._lock.wait(left)

    def expect_line(self, line: str, timeout: float | None = None) -> None:
        """Waits until a screen line (render) equal to `line` ended, counted from the mark."""
        start = self._mark
        deadline = time.monotonic() + (timeout or self.step_timeout)
        while True:
            text = self.text(start)
            # The first complete line that shows it: the mark moves past that line only.
            end = text.find("\n")
            while end != -1:
                if line in render(text[:end + 1])[:-1]:
                    self._mark = start + end + 1
                    return
                end = text.find("\n", end + 1)
            if time.monotonic() > deadline:
                raise TerminalError(f"no screen line {line!r}; the screen shows {render(text)!r}")
            time.sleep(0.05)

    def type(self, keys: bytes, delay: float = 0.02) -> None:
        """Sends `keys` one at a time, as typed: the UART has a 16-byte FIFO and no flow control."""
        for i in range(len(keys)):
            self.sock.sendall(keys[i:i + 1])
            time.sleep(delay)

    def key(self, sequence: bytes, pause: float = 0.3) -> None:
        """Sends one key's whole sequence at once (an escape sequence arrives as a unit, as a
        terminal sends it: programs tell ESC alone from ESC [ A by the gap after it), then
        pauses, so that a lone ESC is not taken for the start of the next key's sequence."""
        self.sock.sendall(sequence)
        time.sleep(pause)

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass
        if self._log is not None:
            self._log.close()


def run_with_terminal(tag: str, runner_args: list[str],
                      scenario: Callable[[SerialTerminal], None]) -> int:
    """Runs qemu_run.py with `runner_args` and COM1 on a socket, plays `scenario` against it,
    and passes only if both passed. Prints `TAG: PASS: ...` or `TAG: FAIL: why`."""
    work = Path(tempfile.mkdtemp(prefix="axo-terminal-"))
    path = work / "com1"
    runner = subprocess.Popen([sys.executable, str(QEMU_RUN), *runner_args,
                               f"--com1-socket={path}"])
    verdict = None
    terminal = None
    try:
        terminal = SerialTerminal(path, alive=lambda: runner.poll() is None)
        scenario(terminal)
    except Exception as e:  # noqa: BLE001 - any failure of the scenario is the verdict
        verdict = f"{type(e).__name__}: {e}"
    status = runner.wait()
    if terminal:
        terminal.close()
    try:
        os.unlink(path)
        os.rmdir(work)
    except OSError:
        pass
    if verdict is None:
        print(f"{tag}: PASS: every step typed and seen", flush=True)
    else:
        print(f"{tag}: FAIL: {verdict}", flush=True)
    if status != 0:
        return status
    return 0 if verdict is None else 1
