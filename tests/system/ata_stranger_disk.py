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
import sys
from pathlib import Path

import ext2_image
import wrap

TAG = "ata_stranger_disk"
GUARDED_BYTES = 2 * 512  # sectors 0..1: the boot block


def check_image(image: Path, before: bytes) -> str | None:
    with image.open("rb") as f:
        after = f.read(GUARDED_BYTES)
    if after != before:
        changed = [i // 512 for i in range(GUARDED_BYTES) if after[i] != before[i]]
        return f"sectors {sorted(set(changed))} changed during the run"
    return ext2_image.e2fsck_clean(image, TAG)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--disk", type=Path, required=True)
    args, runner_args = p.parse_known_args()

    disk = args.disk.resolve()
    disk.parent.mkdir(parents=True, exist_ok=True)
    wrap.remove(disk)
    failed = ext2_image.make(disk, "stranger", "4M")
    if failed is not None:
        print(f"{TAG}: mke2fs failed: {failed}", flush=True)
        return 77
    with disk.open("rb") as f:
        before = f.read(GUARDED_BYTES)
    print(f"{TAG}: fresh 4 MiB ext2 image {disk}", flush=True)
    status = wrap.run_runner("qemu", runner_args, ext2_image.drive_args(disk))
    verdict = check_image(disk, before)
    return wrap.finish(TAG, status, verdict,
                       "the boot block is as mke2fs wrote it, e2fsck -fn is clean")


if __name__ == "__main__":
    sys.exit(main())
