#!/usr/bin/env python3
"""The second disk of fs-mount, made with `mke2fs -d`, checked with e2fsprogs afterwards.

    fs_mount_disk.py --disk PATH RUNNER_ARGUMENTS...

Makes PATH with `mke2fs -t ext2 -b 1024 -d STAGING` (8 MiB) from a staging tree of the files
tests/guest/fs/fs_mount.c reads (/hello.txt, /cold.bin: 64 KiB of pattern 1,
/deep/a/b/c.bin: 5000 bytes of pattern 2), boots the runner with it as the secondary IDE
channel's master (the second ATA driver's disk, fs's /dev/hdc), and after the run — the guest
ended by unmounting it — checks:

  - `e2fsck -fn PATH` finds nothing (exit status 0, no line beyond its passes and summary);
  - the superblock says "clean" (dumpe2fs -h): the guest's umount marked it so;
  - debugfs reads back what the guest wrote (/written.txt, /deep/last.txt), /hello.txt is
    gone (the guest removed it), the host's other files are unchanged.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import wrap

TAG = "fs_mount_disk"
E2FSCK_USUAL = re.compile(
    r"^(e2fsck \S+ \(.*\)|Pass [1-5]: .*|\S+: \d+/\d+ files \(.*\), \d+/\d+ blocks)$")


def pattern(seed: int, length: int) -> bytes:
    """fs_mount.c's pattern_byte for offsets 0..length-1."""
    out = bytearray(length)
    for offset in range(length):
        x = (offset * 2654435761 + seed * 40503 + (offset >> 10)) & 0xFFFFFFFF
        out[offset] = (x ^ (x >> 13) ^ (x >> 24)) & 0xFF
    return bytes(out)


def debugfs(image: Path, request: str) -> bytes:
    return subprocess.run(["debugfs", "-R", request, str(image)], capture_output=True,
                          check=False).stdout


def make_image(disk: Path) -> str | None:
    with tempfile.TemporaryDirectory() as staging_name:
        staging = Path(staging_name)
        (staging / "hello.txt").write_text("hello from the host\n")
        (staging / "cold.bin").write_bytes(pattern(1, 65536))
        (staging / "deep" / "a" / "b").mkdir(parents=True)
        (staging / "deep" / "a" / "b" / "c.bin").write_bytes(pattern(2, 5000))
        made = subprocess.run(["mke2fs", "-q", "-F", "-t", "ext2", "-b", "1024", "-L", "fs-mount",
                               "-E", "root_owner=0:0", "-d", str(staging), str(disk), "8M"],
                              capture_output=True, text=True, check=False)
    return None if made.returncode == 0 else made.stderr


def check_image(image: Path) -> str | None:
    fsck = subprocess.run(["e2fsck", "-fn", str(image)], capture_output=True, text=True,
                          check=False)
    lines = [line for line in (fsck.stdout + fsck.stderr).splitlines() if line.strip()]
    unusual = [line for line in lines if not E2FSCK_USUAL.match(line)]
    print(f"{TAG}: e2fsck -fn: exit {fsck.returncode}", flush=True)
    for line in lines:
        print(f"{TAG}:   {line}", flush=True)
    if fsck.returncode != 0 or unusual:
        return f"e2fsck -fn found problems (exit {fsck.returncode}): {unusual[:5]}"
    header = subprocess.run(["dumpe2fs", "-h", str(image)], capture_output=True, text=True,
                            check=False).stdout
    state = re.search(r"^Filesystem state:\s*(.*)$", header, re.M)
    print(f"{TAG}: state: {state.group(1) if state else 'unknown'}", flush=True)
    if not state or state.group(1).strip() != "clean":
        return f"the file system is not marked clean after the guest's umount: {state}"
    expected = {
        "/written.txt": b"written by the guest\n",
        "/deep/last.txt": b"the last write\n",
        "/cold.bin": pattern(1, 65536),
        "/deep/a/b/c.bin": pattern(2, 5000),
    }
    for path, data in expected.items():
        got = debugfs(image, f"cat {path}")
        if got != data:
            return f"{path}: {len(got)} bytes on the disk, not the {len(data)} expected"
    listing = debugfs(image, "ls -p /").decode(errors="replace")
    names = {fields[5] for fields in (line.split("/") for line in listing.splitlines())
             if len(fields) >= 7 and fields[1] != "0"}
    if "hello.txt" in names:
        return "/hello.txt is still on the disk after the guest removed it"
    print(f"{TAG}: the guest's files read back through debugfs; / holds {sorted(names)}",
          flush=True)
    return None


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--disk", type=Path, required=True)
    args, runner_args = p.parse_known_args()

    disk = args.disk.resolve()
    disk.parent.mkdir(parents=True, exist_ok=True)
    wrap.remove(disk)
    failed = make_image(disk)
    if failed is not None:
        print(f"{TAG}: mke2fs -d failed: {failed}", flush=True)
        return 77
    print(f"{TAG}: fresh 8 MiB ext2 image {disk} made with mke2fs -d", flush=True)
    # index=2: the secondary channel's master (QEMU's hdc).
    extra = ["--extra-qemu-arg=-drive",
             f"--extra-qemu-arg=file={disk},format=raw,if=ide,index=2,media=disk"]
    status = wrap.run_runner("qemu", runner_args, extra)
    verdict = check_image(disk)
    return wrap.finish(TAG, status, verdict,
                       "e2fsck -fn is clean, the disk is clean, the guest's files read back")


if __name__ == "__main__":
    sys.exit(main())
