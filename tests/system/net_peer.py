#!/usr/bin/env python3
"""The host end of a guest e1000 NIC on a QEMU socket netdev, around qemu_run.py.

    net_peer.py [--frames 64] [--window 8] [--seed 1] [--guest-mac 52:54:00:12:34:57]
                [--user-nic] [--peer-timeout SECONDS] RUNNER_ARGUMENTS...

Listens on 127.0.0.1 (a port the OS picks), runs qemu_run.py with two e1000 NICs:
  --user-nic: the first on QEMU's user network (slirp, internal to QEMU, no host forwarding),
  always:     one on `-netdev socket,connect=127.0.0.1:PORT` to this peer,
and talks raw Ethernet frames with the guest's net_client (tests/guest/drivers) through the
e1000 driver. QEMU's stream socket netdev frames each packet with a 4-byte big-endian length.

  guest -> host   a ready frame (EtherType 0x88B5, payload AXO-NET-READY)
  host -> guest   FRAMES frames to the guest's MAC from 02:00:00:00:00:01, type 0x88B5,
                  lengths 60..1514, pseudo-random payload (seeded), at most WINDOW unanswered
  guest -> host   each echoed: MACs swapped, payload XOR 0xA5; then FRAMES pattern frames:
                  frame i is 60 + (i * 131) % 1455 bytes, payload byte k (k >= 14) is
                  (i * 7 + k * 3 + 0x31) mod 256 (tests/guest/drivers/net_common.h)

Every byte of every frame is checked. The run passes if the runner passes (the guest's TAP)
and the peer saw every frame intact.
"""

from __future__ import annotations

import argparse
import random
import select
import socket
import struct
import sys
import time

import wrap

HOST_MAC = bytes([0x02, 0, 0, 0, 0, 0x01])
TEST_TYPE = b"\x88\xb5"
READY = b"AXO-NET-READY"
ECHO_XOR = 0xA5
TAG = "net_peer"


def pattern_frame(i: int, guest_mac: bytes) -> bytes:
    length = 60 + (i * 131) % 1455
    payload = bytes(((i * 7 + k * 3 + 0x31) & 0xFF) for k in range(14, length))
    return HOST_MAC + guest_mac + TEST_TYPE + payload


def host_frames(n: int, seed: int, guest_mac: bytes) -> list[bytes]:
    rng = random.Random(seed)
    frames = []
    for i in range(n):
        length = 60 + (i * 97 + 13) % 1455
        payload = struct.pack(">I", i) + rng.randbytes(length - 18)
        frames.append(guest_mac + HOST_MAC + TEST_TYPE + payload)
    return frames


def first_difference(got: bytes, want: bytes) -> str:
    for i, (a, b) in enumerate(zip(got, want)):
        if a != b:
            return f"byte {i}: got {a:#04x}, expected {b:#04x}"
    return f"length {len(got)}, expected {len(want)}"


class Peer(wrap.Peer):
    def __init__(self, server, frames, guest_mac, window, deadline):
        super().__init__(server, deadline)
        self.frames, self.guest_mac, self.window = frames, guest_mac, window
        self.counts = {"sent": 0, "echoed": 0, "pattern": 0, "other": 0}

    def talk(self) -> str | None:
        conn = self.accept()
        if conn is None:
            return "QEMU never connected to the socket netdev"
        conn.setblocking(False)
        start = time.monotonic()
        buffer = bytearray()
        outgoing = bytearray()
        n = len(self.frames)
        ready = False
        sent = echoed = patterns = 0
        while patterns < n:
            if time.monotonic() >= self.deadline:
                return (f"timed out: ready {ready}, {sent} sent, {echoed} echoed, "
                        f"{patterns} pattern frames")
            while ready and sent < n and sent - echoed < self.window:
                frame = self.frames[sent]
                outgoing += struct.pack(">I", len(frame)) + frame
                sent += 1
            readable, writable, _ = select.select([conn], [conn] if outgoing else [], [], 0.05)
            if writable and outgoing:
                try:
                    outgoing = outgoing[conn.send(outgoing):]
                except BlockingIOError:
                    pass
            if not readable:
                continue
            chunk = conn.recv(65536)
            if not chunk:
                return "QEMU closed the socket"
            buffer += chunk
            while len(buffer) >= 4:
                length = struct.unpack(">I", buffer[:4])[0]
                if len(buffer) < 4 + length:
                    break
                frame = bytes(buffer[4:4 + length])
                del buffer[:4 + length]
                if frame[12:14] != TEST_TYPE:
                    self.counts["other"] += 1  # e.g. nothing; counted, not judged
                    continue
                if frame[:6] != HOST_MAC or frame[6:12] != self.guest_mac:
                    return f"a test frame with wrong addresses: {frame[:12].hex()}"
                if not ready:
                    if not frame[14:].startswith(READY):
                        return f"expected the ready frame first, got {frame[14:30]!r}"
                    ready = True
                    self.timings["ready"] = time.monotonic() - start
                    start = time.monotonic()
                    continue
                if echoed < n:
                    original = self.frames[echoed]
                    want = HOST_MAC + self.guest_mac + TEST_TYPE + bytes(
                        b ^ ECHO_XOR for b in original[14:])
                    if frame != want:
                        return f"echo {echoed} differs: {first_difference(frame, want)}"
                    echoed += 1
                    continue
                want = pattern_frame(patterns, self.guest_mac)
                if frame != want:
                    return f"pattern frame {patterns} differs: {first_difference(frame, want)}"
                patterns += 1
        self.timings["transfer"] = time.monotonic() - start
        self.counts.update(sent=sent, echoed=echoed, pattern=patterns)
        conn.close()
        return None


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--frames", type=int, default=64)
    p.add_argument("--window", type=int, default=8)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--guest-mac", default="52:54:00:12:34:57")
    p.add_argument("--user-mac", default="52:54:00:12:34:56")
    p.add_argument("--user-nic", action="store_true")
    p.add_argument("--peer-timeout", type=float, default=None)
    args, runner_args = p.parse_known_args()
    timeout = args.peer_timeout
    for a in runner_args:
        if a.startswith("--timeout="):
            timeout = timeout or float(a.split("=", 1)[1])
    timeout = timeout or 60.0
    guest_mac = bytes(int(x, 16) for x in args.guest_mac.split(":"))

    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    qemu = []
    if args.user_nic:
        qemu += ["-netdev", "user,id=u0,restrict=on",
                 "-device", f"e1000,netdev=u0,mac={args.user_mac}"]
    # Slot 5: QEMU's PIIX routes slots 3 and 4 (the first free ones) both to IRQ 11, slot 5
    # to IRQ 10, and proc refuses two drivers one IRQ line.
    qemu += ["-netdev", f"socket,id=s0,connect=127.0.0.1:{port}",
             "-device", f"e1000,netdev=s0,mac={args.guest_mac},addr=0x5"]
    extra = [f"--extra-qemu-arg={a}" for a in qemu]

    frames = host_frames(args.frames, args.seed, guest_mac)
    peer = Peer(server, frames, guest_mac, args.window, time.monotonic() + timeout + 30)
    peer.start()
    print(f"{TAG}: {args.frames} frames each way on 127.0.0.1:{port}, window {args.window}",
          flush=True)
    status = wrap.run_runner("qemu", runner_args, extra)
    peer.join(timeout=10)
    server.close()
    verdict = "the peer was still talking when the run ended" if peer.is_alive() else peer.result
    times = ", ".join(f"{k} {v:.2f} s" for k, v in peer.timings.items())
    return wrap.finish(TAG, status, verdict,
                       f"{peer.counts['echoed']} frames echoed and {peer.counts['pattern']} "
                       f"received intact, {peer.counts['other']} other frames ({times})",
                       f" ({times})")


if __name__ == "__main__":
    sys.exit(main())
