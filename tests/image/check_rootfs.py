#!/usr/bin/env python3
"""Checks the root file system image the build made (image/mkrootfs.py) with e2fsprogs.

    check_rootfs.py IMAGE STAGING_DIR BUILT_HELLO

e2fsck -fn finds nothing; the directories every root file system has are there with their
modes and owners (root; /home/user is the user's); every staging file is in /etc with the
same bytes; a program installed by the build (/bin/hello) is byte for byte the built one.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path


def debugfs(image: Path, request: str) -> str:
    out = subprocess.run(["debugfs", "-R", request, str(image)], check=True,
                         capture_output=True)
    return out.stdout.decode("latin-1")


def stat_of(image: Path, path: str) -> tuple[int, int, int]:
    """(mode, uid, gid) of a path in the image."""
    text = debugfs(image, f"stat {path}")
    mode = re.search(r"Mode:\s+(\d+)", text)
    owner = re.search(r"User:\s+(\d+)\s+Group:\s+(\d+)", text)
    if not mode or not owner:
        raise AssertionError(f"{path}: not in the image")
    return int(mode.group(1), 8), int(owner.group(1)), int(owner.group(2))


def main() -> int:
    image, staging, hello = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    failures = []

    checked = subprocess.run(["e2fsck", "-fn", str(image)], capture_output=True, text=True)
    if checked.returncode != 0:
        failures.append(f"e2fsck -fn: exit {checked.returncode}\n{checked.stdout}")

    expected = {"/": (0o755, 0, 0), "/bin": (0o755, 0, 0), "/etc": (0o755, 0, 0),
                "/dev": (0o755, 0, 0), "/tmp": (0o1777, 0, 0), "/root": (0o700, 0, 0),
                "/home/user": (0o755, 1000, 1000), "/var/tmp": (0o1777, 0, 0),
                "/etc/passwd": (0o644, 0, 0), "/etc/rc": (0o755, 0, 0),
                "/bin/hello": (0o755, 0, 0)}
    for path, want in expected.items():
        try:
            got = stat_of(image, path)
        except AssertionError as error:
            failures.append(str(error))
            continue
        if got != want:
            failures.append(f"{path}: mode {got[0]:o} owner {got[1]}:{got[2]}, "
                            f"want {want[0]:o} {want[1]}:{want[2]}")

    for file in sorted((staging / "etc").iterdir()):
        inside = subprocess.run(["debugfs", "-R", f"cat /etc/{file.name}", str(image)],
                                capture_output=True, check=True).stdout
        if inside != file.read_bytes():
            failures.append(f"/etc/{file.name}: differs from {file}")

    built = subprocess.run(["debugfs", "-R", "cat /bin/hello", str(image)],
                           capture_output=True, check=True).stdout
    if built != hello.read_bytes():
        failures.append("/bin/hello: differs from the built program")

    for failure in failures:
        print(f"FAIL {failure}")
    print(f"{len(expected)} paths, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
