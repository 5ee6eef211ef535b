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
    (ext2_image.pattern is fs_full.cc's pattern_byte).

The file system's state flag is reported, not judged: fs has no clean unmount yet, so a disk it
mounted read-write says "not clean" (servers/fs/README.md, "Shutdown"). The run passes if the
runner passes (the guest's TAP) and the image is as above.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import ext2_image
import wrap
from ext2_image import debugfs, names_in, pattern

TAG = "fs_full_disk"
KEPT = {"/kept-small": (1, 1000), "/kept-indirect": (2, 300 * 1024), "/dir/kept-deep": (3, 70000)}
AFTER = ("/after", 7)  # its length is the guest's: half the free blocks after the deletes


def check_image(image: Path) -> str | None:
    failed = ext2_image.e2fsck_clean(image, TAG)
    if failed is not None:
        return failed
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
    print(f"{TAG}: the files read back through debugfs ({len(data)} bytes in {path}); "
          f"state: {ext2_image.state(image) or 'unknown'}", flush=True)
    return None


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--disk", type=Path, required=True)
    args, runner_args = p.parse_known_args()

    disk = args.disk.resolve()
    disk.parent.mkdir(parents=True, exist_ok=True)
    wrap.remove(disk)
    failed = ext2_image.make(disk, "fs-full", "4M")
    if failed is not None:
        print(f"{TAG}: mke2fs failed: {failed}", flush=True)
        return 77
    print(f"{TAG}: fresh 4 MiB ext2 image {disk}", flush=True)
    status = wrap.run_runner("qemu", runner_args, ext2_image.drive_args(disk))
    verdict = check_image(disk)
    return wrap.finish(TAG, status, verdict,
                       "e2fsck -fn is clean and the kept files read back on the host")


if __name__ == "__main__":
    sys.exit(main())
