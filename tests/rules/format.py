#!/usr/bin/env python3
"""clang-format over the tree's own C and C++ sources, per the root .clang-format.

    format.py --check [ROOT]   exit 1 listing every file clang-format would change
                               (exit 77, a skip, while ROOT/.format-pending exists or
                               clang-format is missing)
    format.py --fix [ROOT]     reformat them in place (`./axo format`)

Third-party code is never in the tree (it is unpacked into build/), so everything under the
folders below is ours.
"""
import os
import shutil
import subprocess
import sys

FOLDERS = ("kernel", "interfaces", "lib", "libposix", "servers", "apps", "tests", "bench")
SUFFIXES = (".h", ".hh", ".hpp", ".c", ".cc", ".cpp")
SKIP = 77


def sources(root):
    for top in FOLDERS:
        for directory, dirs, files in os.walk(os.path.join(root, top)):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for f in sorted(files):
                if f.endswith(SUFFIXES):
                    yield os.path.relpath(os.path.join(directory, f), root)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    fix = "--fix" in sys.argv[1:]
    root = os.path.abspath(args[0] if args else os.path.join(os.path.dirname(__file__), "..", ".."))
    tool = shutil.which("clang-format")
    if tool is None:
        print("SKIP: clang-format is not installed (./axo deps installs it)")
        return SKIP
    files = list(sources(root))
    if fix:
        subprocess.run([tool, "-i", "--style=file", *files], cwd=root, check=True)
        print(f"formatted {len(files)} files")
        return 0
    pending = os.path.join(root, ".format-pending")
    if os.path.exists(pending):
        with open(pending, encoding="utf-8") as f:
            reason = " ".join(f.read().split())
        print(f"SKIP: .format-pending exists: {reason or 'the tree is to be formatted once'}")
        return SKIP
    unformatted = []
    for path in files:
        with open(os.path.join(root, path), "rb") as f:
            original = f.read()
        result = subprocess.run([tool, "--style=file", f"--assume-filename={path}"],
                                cwd=root, input=original, capture_output=True, check=True)
        if result.stdout != original:
            unformatted.append(path)
    for path in unformatted:
        print(f"{path}: not formatted as .clang-format says")
    if unformatted:
        print(f"FAIL: {len(unformatted)} of {len(files)} files need ./axo format")
        return 1
    print(f"ok: {len(files)} files formatted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
