"""What the wrappers around a guest test's runner share (serial_peer.py, net_peer.py,
ata_disk.py, console_monitor.py): each sets something up on the host, runs qemu_run.py or bochs_run.py with
extra arguments, checks what it set up, and passes only if the runner passed too.

    status = wrap.run_runner("qemu", runner_args, extra)
    return wrap.finish(TAG, status, verdict, "what was checked")

Not a test itself; imported from the wrappers' folder.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RUNNERS = {"qemu": HERE / "qemu_run.py", "bochs": ROOT / "tests" / "bochs" / "bochs_run.py"}


class Peer(threading.Thread):
    """A host peer of the guest on its own thread, listening on `server`: a subclass's talk()
    returns None when everything it checked was right, or why not; run() keeps that (or the
    exception) in `result` for the verdict."""

    def __init__(self, server: socket.socket, deadline: float):
        super().__init__(daemon=True)
        self.server, self.deadline = server, deadline
        self.result: str | None = "not run"
        self.timings: dict[str, float] = {}

    def run(self):
        try:
            self.result = self.talk()
        except Exception as e:  # noqa: BLE001 - any failure is the verdict
            self.result = f"peer error: {e!r}"

    def talk(self) -> str | None:
        raise NotImplementedError

    def accept(self) -> socket.socket | None:
        """The emulator's connection to `server`, or None if it never came before the deadline."""
        self.server.settimeout(max(1.0, self.deadline - time.monotonic()))
        try:
            conn, _ = self.server.accept()
        except socket.timeout:
            return None
        return conn


def runner_option(runner_args: list[str], name: str) -> str | None:
    """The value of the runner's `--NAME=VALUE` among `runner_args` (the last one), or None."""
    value = None
    for a in runner_args:
        if a.startswith(f"--{name}="):
            value = a.split("=", 1)[1]
    return value


def run_runner(runner: str, runner_args: list[str], extra: list[str]) -> int:
    """Runs RUNNERS[runner] with `runner_args` and then `extra`; its exit status."""
    return subprocess.call([sys.executable, str(RUNNERS[runner]), *runner_args, *extra])


def remove(path: Path) -> None:
    """Removes the file `path` if it is there."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def finish(tag: str, status: int, verdict: str | None, passed: str, detail: str = "") -> int:
    """Prints `TAG: PASS: passed` (verdict None) or `TAG: FAIL: verdict detail`; the exit status:
    the runner's if it failed, else 1 on a failing verdict, else 0."""
    if verdict is None:
        print(f"{tag}: PASS: {passed}", flush=True)
    else:
        print(f"{tag}: FAIL: {verdict}{detail}", flush=True)
    if status != 0:
        return status
    return 0 if verdict is None else 1
