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
import sys
import tempfile
from pathlib import Path

import ext2_image
import wrap
from ext2_image import debugfs, pattern

TAG = "fs_mount_disk"


def make_image(disk: Path) -> str | None:
    with tempfile.TemporaryDirectory() as staging_name:
        staging = Path(staging_name)
        (staging / "hello.txt").write_text("hello from the host\n")
        (staging / "cold.bin").write_bytes(pattern(1, 65536))
        (staging / "deep" / "a" / "b").mkdir(parents=True)
        (staging / "deep" / "a" / "b" / "c.bin").write_bytes(pattern(2, 5000))
        return ext2_image.make(disk, "fs-mount", "8M", staging)


def check_image(image: Path) -> str | None:
    failed = ext2_image.e2fsck_clean(image, TAG)
    if failed is not None:
        return failed
    state = ext2_image.state(image)
    print(f"{TAG}: state: {state or 'unknown'}", flush=True)
    if state != "clean":
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
    names = ext2_image.names_in(image, "/")
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
    status = wrap.run_runner("qemu", runner_args, ext2_image.drive_args(disk, 2))
    verdict = check_image(disk)
    return wrap.finish(TAG, status, verdict,
                       "e2fsck -fn is clean, the disk is clean, the guest's files read back")


if __name__ == "__main__":
    sys.exit(main())
