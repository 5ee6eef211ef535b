#!/usr/bin/env python3
"""The QEMU monitor's side of a guest test, around qemu_run.py: keys and the VGA screen.

    console_monitor.py [--min-commands N] [--key-pause SECONDS] QEMU_RUN_ARGUMENTS...

Adds a QMP socket to the run (`-qmp unix:PATH,server=on,wait=off`), follows the guest's serial
log (qemu_run.py's --log) and carries out the commands the guest prints there, one a line:

  AXO-MONITOR: sendkey K...       each K is typed with the HMP command `sendkey K` (QEMU key
                                  names: a, shift-a, ctrl-c, caps_lock, spc, ret, up, ...),
                                  one at a time with a pause (the key is held 100 ms)
  AXO-MONITOR: screen ROW TEXT    reads row ROW (0..24) of the VGA text buffer at 0xB8000 from
                                  guest memory (HMP `xp`) and types `y` if the row starts with
                                  TEXT, else `n` (the guest reads the answer as a key)

The guest judges what it got (its TAP); the run passes if qemu_run.py passes, every command
could be carried out (a malformed one, or a monitor error, fails the run) and at least
--min-commands were.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import wrap

TAG = "console_monitor"
PREFIX = "AXO-MONITOR: "
VGA_TEXT = 0xB8000
COLUMNS, ROWS = 80, 25


class Qmp:
    """A QMP client (QEMU's JSON monitor); HMP commands go through human-monitor-command."""

    def __init__(self, path: Path, deadline: float):
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(str(path))
                break
            except (FileNotFoundError, ConnectionRefusedError):
                self.sock.close()
                if time.monotonic() > deadline:
                    raise RuntimeError("QEMU's QMP socket never appeared")
                time.sleep(0.05)
        self.sock.settimeout(30)
        self.buffer = b""
        self._message()  # the greeting
        self.execute("qmp_capabilities")

    def _message(self) -> dict:
        while b"\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("QEMU closed the QMP socket")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def execute(self, command: str, **arguments):
        request = {"execute": command}
        if arguments:
            request["arguments"] = arguments
        self.sock.sendall(json.dumps(request).encode() + b"\n")
        while True:
            reply = self._message()
            if "event" in reply:
                continue
            if "error" in reply:
                raise RuntimeError(f"{command}: {reply['error']}")
            return reply.get("return")

    def hmp(self, line: str) -> str:
        out = self.execute("human-monitor-command", **{"command-line": line})
        return out or ""

    def close(self):
        self.sock.close()


def screen_row(qmp: Qmp, row: int) -> str:
    """Row `row` of the text screen: the character bytes of its 80 cells."""
    out = qmp.hmp(f"xp /{COLUMNS}hx {VGA_TEXT + row * COLUMNS * 2:#x}")
    cells = []
    for line in out.splitlines():
        if ":" in line:
            cells += [int(word, 16) for word in line.split(":", 1)[1].split()]
    if len(cells) != COLUMNS:
        raise RuntimeError(f"xp gave {len(cells)} cells for row {row}: {out!r}")
    return "".join(chr(c & 0xFF) if 0x20 <= (c & 0xFF) < 0x7F else "?" for c in cells)


class Monitor(threading.Thread):
    def __init__(self, qmp_path: Path, log: Path, key_pause: float, deadline: float):
        super().__init__(daemon=True)
        self.qmp_path, self.log, self.key_pause, self.deadline = qmp_path, log, key_pause, deadline
        self.commands = 0
        self.error: str | None = None
        self.stop = threading.Event()

    def run(self):
        try:
            self.follow()
        except (ConnectionError, EOFError) as e:
            # QEMU ended (the guest's run is over, or it died): the guest's TAP and the
            # runner's verdict say whether that was too early.
            print(f"{TAG}: the monitor connection ended: {e}", flush=True)
        except Exception as e:  # noqa: BLE001 - any other failure is the verdict
            if not self.stop.is_set():
                self.error = f"{e}"

    def sendkey(self, qmp: Qmp, key: str):
        qmp.hmp(f"sendkey {key}")
        time.sleep(self.key_pause)

    def follow(self):
        qmp = Qmp(self.qmp_path, self.deadline)
        offset = 0
        pending = b""
        try:
            while not self.stop.is_set() and time.monotonic() < self.deadline:
                try:
                    with open(self.log, "rb") as f:
                        f.seek(offset)
                        chunk = f.read()
                except FileNotFoundError:
                    chunk = b""
                offset += len(chunk)
                pending += chunk
                if b"\n" not in pending:
                    time.sleep(0.05)
                    continue
                *lines, pending = pending.split(b"\n")
                for raw in lines:
                    line = raw.decode("utf-8", "replace").rstrip("\r")
                    at = line.find(PREFIX)
                    if at >= 0:
                        self.command(qmp, line[at + len(PREFIX):])
        finally:
            qmp.close()

    def command(self, qmp: Qmp, text: str):
        self.commands += 1
        words = text.split(" ")
        if words[0] == "sendkey" and len(words) > 1:
            print(f"{TAG}: sendkey {' '.join(words[1:])}", flush=True)
            for key in words[1:]:
                self.sendkey(qmp, key)
        elif words[0] == "screen" and len(words) > 2 and words[1].isdigit() \
                and int(words[1]) < ROWS:
            row = int(words[1])
            want = text.split(" ", 2)[2]
            shown = screen_row(qmp, row)
            ok = shown.startswith(want)
            print(f"{TAG}: screen row {row}: {shown.rstrip()!r} "
                  f"{'starts' if ok else 'does NOT start'} with {want!r}", flush=True)
            self.sendkey(qmp, "y" if ok else "n")
        else:
            raise RuntimeError(f"unknown monitor command from the guest: {text!r}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--min-commands", type=int, default=1)
    p.add_argument("--key-pause", type=float, default=0.25,
                   help="seconds between two keys (QEMU holds each for 100 ms)")
    args, runner_args = p.parse_known_args()
    timeout = float(wrap.runner_option(runner_args, "timeout") or 60.0)
    log = wrap.runner_option(runner_args, "log")
    log = Path(log) if log is not None else None
    work = Path(tempfile.mkdtemp(prefix="axo-monitor-"))
    if log is None:
        log = work / "serial.log"
        runner_args.append(f"--log={log}")
    # An old log would feed the monitor stale commands.
    wrap.remove(log)
    qmp_path = work / "qmp.sock"
    extra = ["--extra-qemu-arg=-qmp", f"--extra-qemu-arg=unix:{qmp_path},server=on,wait=off"]

    monitor = Monitor(qmp_path, log, args.key_pause, time.monotonic() + timeout + 30)
    monitor.start()
    status = wrap.run_runner("qemu", runner_args, extra)
    monitor.stop.set()
    monitor.join(timeout=10)
    for leftover in (qmp_path, work / "serial.log"):
        wrap.remove(leftover)
    os.rmdir(work)
    if monitor.error is not None:
        verdict = monitor.error
    elif monitor.commands < args.min_commands:
        verdict = f"{monitor.commands} monitor commands from the guest, expected at least " \
                  f"{args.min_commands}"
    else:
        verdict = None
    return wrap.finish(TAG, status, verdict, f"{monitor.commands} monitor commands carried out")


if __name__ == "__main__":
    sys.exit(main())
