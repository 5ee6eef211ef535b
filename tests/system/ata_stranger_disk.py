#!/usr/bin/env python3
"""A fresh ext2 disk for ata-stranger-write-refused, around qemu_run.py, checked afterwards.

    ata_stranger_disk.py --disk PATH RUNNER_ARGUMENTS...

Makes PATH with `mke2fs -t ext2 -b 1024` (4 MiB), boots the runner with it as the primary
channel's master (the ATA driver's disk, given to fs by the driver's `client=fs`; fs mounts it
as its root), while tests/guest/drivers/ata_stranger, an ordinary process, tries to get a buffer
and to write the boot block and the superblock. Afterwards:

  - sectors 0..1 (the boot block, which ext2 never writes) are byte for byte what mke2fs wrote;
  - `e2fsck -fn PATH` finds nothing (the superblock at sectors 2..3 is fs's to change: it marks
    the disk in use): exit status 0 and no line beyond its passes and summary.

The run passes if the runner passes (the guest's TAP) and the image is as above.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import wrap

TAG = "ata_stranger_disk"
GUARDED_BYTES = 2 * 512  # sectors 0..1: the boot block
E2FSCK_USUAL = re.compile(
    r"^(e2fsck \S+ \(.*\)|Pass [1-5]: .*|\S+: \d+/\d+ files \(.*\), \d+/\d+ blocks)$")


def check_image(image: Path, before: bytes) -> str | None:
    with image.open("rb") as f:
        after = f.read(GUARDED_BYTES)
    if after != before:
        changed = [i // 512 for i in range(GUARDED_BYTES) if after[i] != before[i]]
        return f"sectors {sorted(set(changed))} changed during the run"
    fsck = subprocess.run(["e2fsck", "-fn", str(image)], capture_output=True, text=True,
                          check=False)
    lines = [line for line in (fsck.stdout + fsck.stderr).splitlines() if line.strip()]
    unusual = [line for line in lines if not E2FSCK_USUAL.match(line)]
    print(f"{TAG}: e2fsck -fn: exit {fsck.returncode}", flush=True)
    for line in lines:
        print(f"{TAG}:   {line}", flush=True)
    if fsck.returncode != 0 or unusual:
        return f"e2fsck -fn found problems (exit {fsck.returncode}): {unusual[:5]}"
    return None


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--disk", type=Path, required=True)
    args, runner_args = p.parse_known_args()

    disk = args.disk.resolve()
    disk.parent.mkdir(parents=True, exist_ok=True)
    wrap.remove(disk)
    made = subprocess.run(["mke2fs", "-q", "-F", "-t", "ext2", "-b", "1024", "-L", "stranger",
                           "-E", "root_owner=0:0", str(disk), "4M"],
                          capture_output=True, text=True, check=False)
    if made.returncode != 0:
        print(f"{TAG}: mke2fs failed: {made.stderr}", flush=True)
        return 77
    with disk.open("rb") as f:
        before = f.read(GUARDED_BYTES)
    print(f"{TAG}: fresh 4 MiB ext2 image {disk}", flush=True)
    extra = ["--extra-qemu-arg=-drive",
             f"--extra-qemu-arg=file={disk},format=raw,if=ide,index=0,media=disk"]
    status = wrap.run_runner("qemu", runner_args, extra)
    verdict = check_image(disk, before)
    return wrap.finish(TAG, status, verdict,
                       "the boot block is as mke2fs wrote it, e2fsck -fn is clean")


if __name__ == "__main__":
    sys.exit(main())
