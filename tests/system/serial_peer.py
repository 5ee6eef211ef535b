#!/usr/bin/env python3
"""The host end of a second guest serial port (COM2), around qemu_run.py or bochs_run.py.

    serial_peer.py --runner qemu|bochs [--bytes 65536] [--window 4096] [--seed 1]
                   [--peer-timeout SECONDS] RUNNER_ARGUMENTS...

Listens on a host socket (QEMU: a Unix socket, `-serial unix:PATH` for COM2; Bochs: TCP on
127.0.0.1, `com2: mode=socket-client`), runs the runner with the extra port, and talks to the
guest's serial_echo (tests/guest/drivers) through the serial driver:

  guest -> host   the marker AXO-SERIAL-READY\\n (sent once the driver serves)
  host -> guest   BYTES pseudo-random bytes (seeded), at most WINDOW ahead of the echo
  guest -> host   the same bytes XORed with 0xA5, then BYTES of the pattern
                  (i * 7 + (i >> 8) + 0x31) mod 256

Every byte is checked; the first difference is reported. The window keeps the host from
outrunning a guest whose UART has no flow control (Bochs reads its socket whatever the
receive FIFO holds, and a full FIFO loses bytes); the guest driver's buffers are larger.
The run passes if the runner passes (the guest's TAP) and the peer saw every byte intact.
"""

from __future__ import annotations

import argparse
import os
import random
import select
import socket
import sys
import tempfile
import time
from pathlib import Path

import wrap
from wrap import RUNNERS

MARKER = b"AXO-SERIAL-READY\n"
ECHO_XOR = 0xA5
HARNESS_ERROR = 77
TAG = "serial_peer"


def pattern(n: int) -> bytes:
    return bytes(((i * 7 + (i >> 8) + 0x31) & 0xFF) for i in range(n))


def first_difference(got: bytes, want: bytes) -> str:
    for i, (a, b) in enumerate(zip(got, want)):
        if a != b:
            return f"byte {i}: got {a:#04x}, expected {b:#04x}"
    return f"length {len(got)}, expected {len(want)}"


class Peer(wrap.Peer):
    def __init__(self, server: socket.socket, data: bytes, window: int, deadline: float):
        super().__init__(server, deadline)
        self.data, self.window = data, window
        self.received = bytearray()

    def talk(self) -> str | None:
        n = len(self.data)
        conn = self.accept()
        if conn is None:
            return "the emulator never connected to the COM2 socket"
        conn.setblocking(False)
        start = time.monotonic()
        sent = 0
        marker_end = None
        want_total = None
        while True:
            now = time.monotonic()
            if now >= self.deadline:
                return (f"timed out: {len(self.received)} bytes received, {sent} sent "
                        f"(marker {'seen' if marker_end is not None else 'not seen'})")
            echoed = 0 if marker_end is None else len(self.received) - marker_end
            can_send = marker_end is not None and sent < n and sent - echoed < self.window
            readable, writable, _ = select.select([conn], [conn] if can_send else [], [], 0.05)
            if readable:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                self.received += chunk
                if marker_end is None:
                    at = self.received.find(MARKER)
                    if at >= 0:
                        marker_end = at + len(MARKER)
                        want_total = marker_end + 2 * n
                        self.timings["marker"] = time.monotonic() - start
                        start = time.monotonic()
                if want_total is not None and len(self.received) >= want_total:
                    break
            if writable and can_send:
                limit = min(n, echoed + self.window)
                try:
                    sent += conn.send(self.data[sent:limit])
                except BlockingIOError:
                    pass
        conn.close()
        self.timings["transfer"] = time.monotonic() - start
        if marker_end is None:
            return f"no marker from the guest ({len(self.received)} bytes received)"
        echo = bytes(self.received[marker_end:marker_end + n])
        want_echo = bytes(b ^ ECHO_XOR for b in self.data)
        if echo != want_echo:
            return f"echo differs: {first_difference(echo, want_echo)}"
        tail = bytes(self.received[marker_end + n:marker_end + 2 * n])
        if tail != pattern(n):
            return f"pattern differs: {first_difference(tail, pattern(n))}"
        if len(self.received) != want_total:
            return f"{len(self.received) - want_total} bytes more than expected"
        return None


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runner", choices=sorted(RUNNERS), required=True)
    p.add_argument("--bytes", type=int, default=65536)
    p.add_argument("--window", type=int, default=4096)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--peer-timeout", type=float, default=None,
                   help="default: the runner's --timeout")
    args, runner_args = p.parse_known_args()
    timeout = args.peer_timeout or float(wrap.runner_option(runner_args, "timeout") or 60.0)

    data = random.Random(args.seed).randbytes(args.bytes)
    work = Path(tempfile.mkdtemp(prefix="axo-serial-peer-"))
    if args.runner == "qemu":
        path = work / "com2.sock"
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(str(path))
        extra = ["--extra-qemu-arg=-serial", f"--extra-qemu-arg=unix:{path}"]
    else:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.bind(("127.0.0.1", 0))
        port = server.getsockname()[1]
        extra = [f"--bochsrc-line=com2: enabled=1, mode=socket-client, dev=127.0.0.1:{port}"]
    server.listen(1)

    peer = Peer(server, data, args.window, time.monotonic() + timeout + 30)
    peer.start()
    print(f"{TAG}: {args.bytes} bytes each way, window {args.window}, seed {args.seed}", flush=True)
    status = wrap.run_runner(args.runner, runner_args, extra)
    peer.join(timeout=10)
    server.close()
    if peer.is_alive():
        verdict = "the peer was still talking when the run ended"
    else:
        verdict = peer.result
    times = ", ".join(f"{k} {v:.2f} s" for k, v in peer.timings.items())
    code = wrap.finish(TAG, status, verdict,
                       f"{args.bytes} bytes echoed and {args.bytes} received intact ({times})",
                       f" ({times})")
    wrap.remove(work / "com2.sock")
    os.rmdir(work)
    return code


if __name__ == "__main__":
    sys.exit(main())
