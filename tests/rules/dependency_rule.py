#!/usr/bin/env python3
"""The dependency rule of DESIGN.md §5, checked on every #include of the tree's own sources.

    kernel/      includes only kernel/
    interfaces/  include kernel/uapi, lib/ipc, the label table and the interfaces listed in
                 INTERFACE_USES (one contract building on another)
    lib/, libposix/, apps/
                 include kernel/uapi, lib/, libposix/, interfaces/ — never servers/; a
                 program in apps/ (a port in apps/ports/) also its own folder
    servers/     a server includes its own folder, kernel/uapi, lib/, interfaces/ — never another
                 server's folder
    tests/, bench/  may include anything

Outside kernel/, the kernel's portable pieces listed in SHARED_KERNEL_CODE may be included too:
they are compiled into user-level libraries as they are, rather than copied.

Exits 1 and names file, line and rule for every include that breaks it; 0 otherwise.
Usage: dependency_rule.py [SOURCE_ROOT]
"""
import os
import re
import sys

SOURCE_SUFFIXES = (".h", ".hh", ".hpp", ".c", ".cc", ".cpp", ".S")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')

# Which interfaces an interface may include (besides itself, labels.h, kernel/uapi, lib/ipc).
INTERFACE_USES = {
    "names": set(),
    "process": {"names"},
    "devices": {"process", "names"},
    "sigma0": set(),
    "mm": set(),
    "stream": set(),
    "serial": {"stream"},
    "console": {"stream"},
    "tty": {"stream"},  # a terminal serves the stream interface for its bytes
    "block": set(),
    "file": {"names"},  # its client re-binds by name (names::Binding)
    "nic": set(),
    "pci": set(),
}

# The kernel's host-portable code that user-level libraries and servers build as it is.
SHARED_KERNEL_CODE = ("kernel/lib/", "kernel/elf.h")

# Include roots, in the order the compilers search them (CMake include directories).
INCLUDE_ROOTS = ("", "kernel/uapi", "lib/rt/include")


def resolve(root, including, name):
    """The repository path an include names, or None for a system header."""
    candidates = [os.path.join(os.path.dirname(including), name)]
    candidates += [os.path.join(r, name) for r in INCLUDE_ROOTS]
    if including.startswith("kernel/"):
        candidates.append(os.path.join("kernel", name))
    for c in candidates:
        c = os.path.normpath(c)
        if os.path.isfile(os.path.join(root, c)):
            return c
    return None


def server_folder(path):
    """servers/drivers/ata/x.cc -> servers/drivers/ata; servers/proc/x -> servers/proc.
    servers/fs is one server whose parts (vfs/, ext2/, devfs/, pipe/ ...) build on each other."""
    parts = path.split("/")
    if len(parts) >= 3 and parts[1] in ("drivers", "memory"):
        return "/".join(parts[:3])
    return "/".join(parts[:2])


def app_folder(path):
    """apps/init/x.c -> apps/init; apps/ports/busybox/y/z.h -> apps/ports/busybox."""
    parts = path.split("/")
    return "/".join(parts[:3] if len(parts) >= 3 and parts[1] == "ports" else parts[:2])


def violation(source, target):
    """Why `source` may not include `target`, or None."""
    if source.startswith(("tests/", "bench/")):
        return None
    if source.startswith("kernel/"):
        return None if target.startswith("kernel/") else "kernel/ includes nothing outside kernel/"
    uapi_or_shared = target.startswith("kernel/uapi/") or target.startswith(SHARED_KERNEL_CODE)
    if source.startswith("interfaces/"):
        own = source.split("/")[1]
        if target.startswith(("kernel/uapi/", "lib/ipc/")) or target == "interfaces/labels.h":
            return None
        if target.startswith("interfaces/"):
            other = target.split("/")[1]
            if other == own or other in INTERFACE_USES.get(own, set()):
                return None
            return f"interfaces/{own} may build only on {sorted(INTERFACE_USES.get(own, set())) or 'no other interface'}"
        return "interfaces/ include only kernel/uapi, lib/ipc and other interfaces"
    if source.startswith(("lib/", "libposix/", "apps/")):
        if uapi_or_shared or target.startswith(("lib/", "libposix/", "interfaces/")):
            return None
        if source.startswith("apps/") and app_folder(target) == app_folder(source):
            return None  # a program's (or a port's) own headers
        return "lib/, libposix/ and apps/ include interfaces/ and lib/, never servers/"
    if source.startswith("servers/"):
        if uapi_or_shared or target.startswith(("lib/", "interfaces/")):
            return None
        if target.startswith("servers/") and server_folder(target) == server_folder(source):
            return None
        return "a server includes its own folder, lib/ and interfaces/, never another server's folder"
    return None


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                           os.path.join(os.path.dirname(__file__), "..", ".."))
    problems = []
    checked = 0
    for top in ("kernel", "interfaces", "lib", "libposix", "apps", "servers"):
        for directory, dirs, files in os.walk(os.path.join(root, top)):
            dirs.sort()
            for f in sorted(files):
                if not f.endswith(SOURCE_SUFFIXES):
                    continue
                path = os.path.relpath(os.path.join(directory, f), root)
                with open(os.path.join(root, path), encoding="utf-8", errors="replace") as text:
                    for number, line in enumerate(text, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        target = resolve(root, path, m.group(2))
                        if target is None:
                            continue
                        checked += 1
                        why = violation(path, target)
                        if why:
                            problems.append(f"{path}:{number}: includes {target}: {why}")
    for p in problems:
        print(p)
    if problems:
        print(f"FAIL: {len(problems)} of {checked} includes break the dependency rule (DESIGN.md §5)")
        return 1
    print(f"ok: {checked} includes follow the dependency rule")
    return 0


if __name__ == "__main__":
    sys.exit(main())
