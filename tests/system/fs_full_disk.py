#!/usr/bin/env python3
"""A small fresh ext2 disk for fs-full, around qemu_run.py, checked with e2fsprogs afterwards.

    fs_full_disk.py --disk PATH RUNNER_ARGUMENTS...

Makes PATH with `mke2fs -t ext2 -b 1024` (4 MiB: 4096 blocks, 1024 inodes), boots the runner
with it as the primary channel's master (the ATA driver's disk, fs's ext2 root), and after the
run, which ended with the guest's sync (tests/guest/fs/fs_full.cc):

  - `e2fsck -fn PATH` finds nothing: exit status 0 and no line beyond its passes and summary
    (pass 5 compares the bitmaps with the group descriptors' and the superblock's counts);
  - `debugfs` lists exactly the files the guest kept (/kept-small, /kept-indirect,
    /dir/kept-deep, /after; lost+found, and /dev, /tmp and /proc, fs's mount points) and each holds the guest's pattern byte for byte
    (pattern_byte below is fs_full.cc's).

The file system's state flag is reported, not judged: fs has no clean unmount yet, so a disk it
mounted read-write says "not clean" (servers/fs/README.md, "Shutdown"). The run passes if the
runner passes (the guest's TAP) and the image is as above.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import wrap

TAG = "fs_full_disk"
KEPT = {"/kept-small": (1, 1000), "/kept-indirect": (2, 300 * 1024), "/dir/kept-deep": (3, 70000)}
AFTER = ("/after", 7)  # its length is the guest's: half the free blocks after the deletes
E2FSCK_USUAL = re.compile(
    r"^(e2fsck \S+ \(.*\)|Pass [1-5]: .*|\S+: \d+/\d+ files \(.*\), \d+/\d+ blocks)$")


def pattern_byte(seed: int, offset: int) -> int:
    x = (offset * 2654435761 + seed * 40503 + (offset >> 10)) & 0xFFFFFFFF
    return (x ^ (x >> 13) ^ (x >> 24)) & 0xFF


def pattern(seed: int, length: int) -> bytes:
    return bytes(pattern_byte(seed, i) for i in range(length))


def debugfs(image: Path, request: str) -> bytes:
    return subprocess.run(["debugfs", "-R", request, str(image)], capture_output=True,
                          check=False).stdout


def names_in(image: Path, directory: str) -> set[str]:
    text = debugfs(image, f"ls -p {directory}").decode(errors="replace")
    # -p: /inode/mode/uid/gid/name/size/ per entry; inode 0 is an unused record (the first of
    # a directory block whose name was removed)
    names = {fields[5] for fields in (line.split("/") for line in text.splitlines())
             if len(fields) >= 7 and fields[1] != "0"}
    return names - {".", ".."}


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
    root = names_in(image, "/")
    # /dev, /tmp and /proc: the mount points fs makes on its root.
    if root != {"lost+found", "dev", "tmp", "proc", "dir", "kept-small", "kept-indirect", "after"}:
        return f"/ holds {sorted(root)}"
    deep = names_in(image, "/dir")
    if deep != {"kept-deep"}:
        return f"/dir holds {sorted(deep)[:10]} ({len(deep)} names)"
    for path, (seed, length) in KEPT.items():
        data = debugfs(image, f"cat {path}")
        if data != pattern(seed, length):
            return f"{path}: {len(data)} bytes, not the guest's {length} bytes of pattern {seed}"
    path, seed = AFTER
    data = debugfs(image, f"cat {path}")
    if not data or data != pattern(seed, len(data)):
        return f"{path}: {len(data)} bytes, not the guest's pattern {seed}"
    state = re.search(r"^Filesystem state:\s*(.*)$",
                      subprocess.run(["dumpe2fs", "-h", str(image)], capture_output=True,
                                     text=True, check=False).stdout, re.M)
    print(f"{TAG}: the files read back through debugfs ({len(data)} bytes in {path}); "
          f"state: {state.group(1) if state else 'unknown'}", flush=True)
    return None


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--disk", type=Path, required=True)
    args, runner_args = p.parse_known_args()

    disk = args.disk.resolve()
    disk.parent.mkdir(parents=True, exist_ok=True)
    wrap.remove(disk)
    made = subprocess.run(["mke2fs", "-q", "-F", "-t", "ext2", "-b", "1024", "-L", "fs-full",
                           "-E", "root_owner=0:0", str(disk), "4M"],
                          capture_output=True, text=True, check=False)
    if made.returncode != 0:
        print(f"{TAG}: mke2fs failed: {made.stderr}", flush=True)
        return 77
    print(f"{TAG}: fresh 4 MiB ext2 image {disk}", flush=True)
    extra = ["--extra-qemu-arg=-drive",
             f"--extra-qemu-arg=file={disk},format=raw,if=ide,index=0,media=disk"]
    status = wrap.run_runner("qemu", runner_args, extra)
    verdict = check_image(disk)
    return wrap.finish(TAG, status, verdict,
                       "e2fsck -fn is clean and the kept files read back on the host")


if __name__ == "__main__":
    sys.exit(main())
