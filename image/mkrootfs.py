#!/usr/bin/env python3
"""Makes the root file system: an ext2 image from image/rootfs/ plus built programs.

    mkrootfs.py --staging image/rootfs --out rootfs.img [--file BUILT=/bin/NAME]...
                [--link /bin/NAME=TARGET]... [--size-mib 64] [--block 4096]

No root and no loop mount: the tree is assembled in a scratch directory beside OUT, packed by
`mke2fs -d`, and then every inode is given to root (uid 0, gid 0) and the modes that git does
not keep (directories like /tmp 1777 and /root 0700) are set with `debugfs -w`. Finally
`e2fsck -fn` must find nothing wrong, or the image is not written.

The image size is a whole number of cylinders of 16 heads x 63 sectors, so that Bochs accepts
it as a flat disk with that geometry, as QEMU does any size.
"""

from __future__ import annotations

import argparse
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

# Directories every root file system has, with their modes (git keeps neither empty
# directories nor modes other than the executable bit).
DIRECTORIES = {
    "bin": 0o755,
    "sbin": 0o755,
    "etc": 0o755,
    "dev": 0o755,
    "proc": 0o555,
    "tmp": 0o1777,
    "home": 0o755,
    "home/user": 0o755,
    "root": 0o700,
    "var": 0o755,
    "var/log": 0o755,
    "var/tmp": 0o1777,
    "mnt": 0o755,
    "usr": 0o755,
    "usr/bin": 0o755,
    "usr/sbin": 0o755,
}
# Files whose mode is not 0644 (staging files keep their executable bit otherwise).
FILE_MODES = {
    "etc/rc": 0o755,
}
# The user's home belongs to the user (/etc/passwd: uid 1000, gid 1000).
OWNERS = {
    "home/user": (1000, 1000),
}

CYLINDER = 16 * 63 * 512


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=False, text=True, capture_output=True, **kwargs)


def assemble(staging: Path, tree: Path, files: list[str], links: list[str]) -> None:
    shutil.copytree(staging, tree, symlinks=True)
    for directory in DIRECTORIES:
        (tree / directory).mkdir(parents=True, exist_ok=True)
    for item in files:
        source, _, destination = item.partition("=")
        if not destination.startswith("/"):
            sys.exit(f"mkrootfs: --file {item}: the destination must be an absolute path")
        target = tree / destination.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        target.chmod(0o755)
    for item in links:
        name, _, points_to = item.partition("=")
        target = tree / name.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink() or target.exists():
            target.unlink()
        target.symlink_to(points_to)


def debugfs_commands(tree: Path) -> list[str]:
    """Root owns everything; directories and listed files get their modes."""
    commands = []
    for path in sorted(tree.rglob("*")):
        relative = path.relative_to(tree).as_posix()
        uid, gid = OWNERS.get(relative, (0, 0))
        commands.append(f"sif /{relative} uid {uid}")
        commands.append(f"sif /{relative} gid {gid}")
        if path.is_symlink():
            continue
        if relative in DIRECTORIES:
            commands.append(f"sif /{relative} mode 0{stat.S_IFDIR | DIRECTORIES[relative]:o}")
        elif relative in FILE_MODES:
            commands.append(f"sif /{relative} mode 0{stat.S_IFREG | FILE_MODES[relative]:o}")
    return commands


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staging", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--file", action="append", default=[], help="BUILT=/ABSOLUTE/PATH")
    parser.add_argument("--link", action="append", default=[], help="/PATH=SYMLINK_TARGET")
    parser.add_argument("--size-mib", type=int, default=64)
    parser.add_argument("--block", type=int, default=4096, choices=(1024, 2048, 4096))
    args = parser.parse_args()

    cylinders = max(1, (args.size_mib << 20) // CYLINDER)
    size = cylinders * CYLINDER
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rootfs.", dir=args.out.parent) as scratch:
        tree = Path(scratch) / "tree"
        image = Path(scratch) / "rootfs.img"
        assemble(args.staging, tree, args.file, args.link)
        with open(image, "wb") as f:
            f.truncate(size)
        made = run(["mke2fs", "-q", "-t", "ext2", "-b", str(args.block), "-L", "root",
                    "-E", "root_owner=0:0", "-d", str(tree), str(image)])
        if made.returncode != 0:
            sys.stderr.write(made.stdout + made.stderr)
            return 1
        script = Path(scratch) / "debugfs.cmds"
        script.write_text("\n".join(debugfs_commands(tree)) + "\n")
        owned = run(["debugfs", "-w", "-f", str(script), str(image)])
        if owned.returncode != 0:
            sys.stderr.write(owned.stdout + owned.stderr)
            return 1
        problems = [line for line in owned.stderr.splitlines()
                    if line and not line.startswith("debugfs ")]
        if problems:
            sys.stderr.write("mkrootfs: debugfs: " + "\n".join(problems) + "\n")
            return 1
        checked = run(["e2fsck", "-fn", str(image)])
        if checked.returncode != 0:
            sys.stderr.write("mkrootfs: e2fsck found problems:\n" + checked.stdout + checked.stderr)
            return 1
        os.replace(image, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
