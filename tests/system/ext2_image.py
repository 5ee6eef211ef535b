"""Fresh ext2 disks for the system tests, and the host's checks of them afterwards (e2fsprogs).

The wrappers around the runner (fs_full_disk.py, fs_mount_disk.py, ata_stranger_disk.py) make a
disk with `make`, boot the guest with it (`drive_args`), and judge the image the guest left with
`e2fsck_clean`, `debugfs`, `names_in` and `state`. `pattern` is the guest programs' pattern
(tests/guest/fs: pattern_byte), so that the host can check what they wrote byte for byte.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

E2FSCK_USUAL = re.compile(
    r"^(e2fsck \S+ \(.*\)|Pass [1-5]: .*|\S+: \d+/\d+ files \(.*\), \d+/\d+ blocks)$")


def make(disk: Path, label: str, size: str, staging: Path | None = None) -> str | None:
    """`mke2fs -t ext2 -b 1024` of `size` (e.g. "4M") at `disk`, root owned by 0:0, filled from
    `staging` if given (`-d`). None, or mke2fs's complaint."""
    command = ["mke2fs", "-q", "-F", "-t", "ext2", "-b", "1024", "-L", label,
               "-E", "root_owner=0:0"]
    if staging is not None:
        command += ["-d", str(staging)]
    made = subprocess.run(command + [str(disk), size], capture_output=True, text=True,
                          check=False)
    return None if made.returncode == 0 else made.stderr


def drive_args(disk: Path, index: int = 0) -> list[str]:
    """The runner's arguments for `disk` as IDE drive `index` (0: the primary master, hda;
    2: the secondary master, hdc)."""
    return ["--extra-qemu-arg=-drive",
            f"--extra-qemu-arg=file={disk},format=raw,if=ide,index={index},media=disk"]


def e2fsck_clean(image: Path, tag: str) -> str | None:
    """`e2fsck -fn`, every line printed under `tag`: None if it exits 0 and says nothing beyond
    its passes and summary, else what it found."""
    fsck = subprocess.run(["e2fsck", "-fn", str(image)], capture_output=True, text=True,
                          check=False)
    lines = [line for line in (fsck.stdout + fsck.stderr).splitlines() if line.strip()]
    unusual = [line for line in lines if not E2FSCK_USUAL.match(line)]
    print(f"{tag}: e2fsck -fn: exit {fsck.returncode}", flush=True)
    for line in lines:
        print(f"{tag}:   {line}", flush=True)
    if fsck.returncode != 0 or unusual:
        return f"e2fsck -fn found problems (exit {fsck.returncode}): {unusual[:5]}"
    return None


def debugfs(image: Path, request: str) -> bytes:
    return subprocess.run(["debugfs", "-R", request, str(image)], capture_output=True,
                          check=False).stdout


def names_in(image: Path, directory: str) -> set[str]:
    """The names in `directory` of the image, without . and .."""
    text = debugfs(image, f"ls -p {directory}").decode(errors="replace")
    # -p: /inode/mode/uid/gid/name/size/ per entry; inode 0 is an unused record (the first of
    # a directory block whose name was removed)
    names = {fields[5] for fields in (line.split("/") for line in text.splitlines())
             if len(fields) >= 7 and fields[1] != "0"}
    return names - {".", ".."}


def state(image: Path) -> str | None:
    """The superblock's "Filesystem state" (dumpe2fs -h): "clean", "not clean", ..."""
    header = subprocess.run(["dumpe2fs", "-h", str(image)], capture_output=True, text=True,
                            check=False).stdout
    found = re.search(r"^Filesystem state:\s*(.*)$", header, re.M)
    return found.group(1).strip() if found else None


def pattern(seed: int, length: int) -> bytes:
    """The guest programs' pattern_byte(seed, offset) for offsets 0..length-1."""
    out = bytearray(length)
    for offset in range(length):
        x = (offset * 2654435761 + seed * 40503 + (offset >> 10)) & 0xFFFFFFFF
        out[offset] = (x ^ (x >> 13) ^ (x >> 24)) & 0xFF
    return bytes(out)
