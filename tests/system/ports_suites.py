#!/usr/bin/env python3
"""A test suite run as it is in the default system, judged against an expectations file.

    ports_suites.py --suite NAME --image ROOTFS.img --expectations FILE --command CMD
                    [--add HOST=/GUEST/PATH]... [--busybox-tree FILE] [--step-timeout S]
                    RUNNER_ARGUMENTS...     (qemu_run.py's)

The root file system the build made is copied, the --add trees and files are written into the
copy (debugfs; nothing of the build's image changes), and the system boots from it with init's
login shell on COM1 (tests/harness/serial_terminal.py). CMD is typed at the shell; what it
prints must end with the end marker within the runner's timeout, and no step may stay silent
for --step-timeout seconds (a hung test names itself: the last line before the silence).

Every output line `PASS: name`, `FAIL: name`, `SKIPPED: name` or `UNTESTED: name` (busybox's
runtest's words; our own self-test scripts print the same) is a result. The expectations file
lists the known failures: `FAIL: name` lines, each under a `# reason` comment (one reason may
head a block of names; a blank line ends the block). The run fails on
- a FAIL that is not listed (a new failure),
- a listed FAIL that now passes or did not run (the list only shrinks: delete the line),
- an entry without a reason, or no results at all.
The counts are printed as `NAME: counts: N passed, N failed (N expected), N skipped`.

--busybox-tree FILE: FILE holds the path of the compiled busybox tree (apps/ports/busybox
writes it); its testsuite/ and .config are added under /opt/busybox-testsuite/ with a link to
/bin/busybox beside them, the layout runtest expects (bindir = the testsuite's parent).
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harness"))
from serial_terminal import ENTER, SerialTerminal, TerminalError, render, run_with_terminal  # noqa: E402

PROMPT = r"# $"
RESULT = re.compile(r"^(PASS|FAIL|SKIPPED|UNTESTED): (.*?)\s*$")
END = "suite-end"
BUSYBOX_GUEST = "/opt/busybox-testsuite"


class ExpectationsError(Exception):
    pass


def read_expectations(path: Path) -> dict[str, str]:
    """name -> reason of each listed failure."""
    listed: dict[str, str] = {}
    reason: list[str] = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            reason = []
        elif line.startswith("#"):
            reason.append(line.lstrip("#").strip())
        elif line.startswith("FAIL: "):
            name = line[len("FAIL: "):].rstrip()
            if not any(reason):
                raise ExpectationsError(f"{path}:{number}: `{line}` has no `# reason` above it")
            if name in listed:
                raise ExpectationsError(f"{path}:{number}: `{name}` is listed twice")
            listed[name] = " ".join(r for r in reason if r)
        else:
            raise ExpectationsError(f"{path}:{number}: neither `# reason` nor `FAIL: name`: {line}")
    return listed


def debugfs(image: Path, commands: list[str]) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".debugfs", delete=False) as script:
        script.write("\n".join(commands) + "\n")
    try:
        done = subprocess.run(["debugfs", "-w", "-f", script.name, str(image)], text=True,
                              capture_output=True)
    finally:
        Path(script.name).unlink()
    # debugfs reports each command's error on stderr and goes on; an existing directory is fine.
    problems = [line for line in done.stderr.splitlines()
                if line and not line.startswith("debugfs ") and "already exists" not in line]
    if done.returncode != 0 or problems:
        raise ExpectationsError("debugfs: " + "\n".join(problems or [done.stderr]))


def add_commands(host: Path, guest: str) -> list[str]:
    """debugfs commands that copy `host` (a file, a link or a tree) to `guest`."""
    commands = []
    parts = guest.strip("/").split("/")
    for i in range(1, len(parts)):
        commands.append("mkdir /" + "/".join(parts[:i]))
    paths = [host] + (sorted(host.rglob("*")) if host.is_dir() and not host.is_symlink() else [])
    for path in paths:
        target = guest if path == host else f"{guest}/{path.relative_to(host).as_posix()}"
        if path.is_symlink():
            commands.append(f'symlink "{target}" "{path.readlink()}"')
        elif path.is_dir():
            commands.append(f'mkdir "{target}"')
        else:
            # write takes the host file's mode; owner root like the rest of the image.
            commands += [f'write "{path}" "{target}"', f'sif "{target}" uid 0',
                         f'sif "{target}" gid 0']
    return commands


def make_image(args, work: Path) -> Path:
    image = work / "suite.img"
    shutil.copyfile(args.image, image)
    commands: list[str] = []
    for item in args.add:
        host, _, guest = item.partition("=")
        commands += add_commands(Path(host), guest)
    if args.busybox_tree:
        tree = Path(args.busybox_tree.read_text().strip())
        commands += add_commands(tree / "testsuite", f"{BUSYBOX_GUEST}/testsuite")
        commands += add_commands(tree / ".config", f"{BUSYBOX_GUEST}/.config")
        commands.append(f'symlink "{BUSYBOX_GUEST}/busybox" /bin/busybox')
    debugfs(image, commands)
    return image


def judge(suite: str, lines: list[str], listed: dict[str, str]) -> list[str]:
    """The problems of a run (none: it passed); prints the counts and the failures."""
    results: dict[str, str] = {}
    for line in lines:
        if m := RESULT.match(line):
            # A name run twice keeps its worst result.
            if results.get(m.group(2)) != "FAIL":
                results[m.group(2)] = m.group(1)
    count = {word: sum(1 for r in results.values() if r == word)
             for word in ("PASS", "FAIL", "SKIPPED", "UNTESTED")}
    failed = {name for name, r in results.items() if r == "FAIL"}
    new = sorted(failed - listed.keys())
    fixed = sorted(name for name in listed if results.get(name) == "PASS")
    gone = sorted(name for name in listed if name not in results)
    print(f"{suite}: counts: {count['PASS']} passed, {count['FAIL']} failed "
          f"({len(failed & listed.keys())} expected), {count['SKIPPED']} skipped, "
          f"{count['UNTESTED']} untested", flush=True)
    problems = []
    if not results:
        problems.append("no results at all")
    problems += [f"new failure: {name}" for name in new]
    problems += [f"listed failure now passes (delete it from the list): {name}" for name in fixed]
    problems += [f"listed failure did not run (delete it from the list): {name}" for name in gone]
    return problems


def main() -> int:
    # The runner's own options pass through: no abbreviations that could swallow one.
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    p.add_argument("--suite", required=True)
    p.add_argument("--image", required=True, type=Path)
    p.add_argument("--expectations", required=True, type=Path)
    p.add_argument("--command", required=True)
    p.add_argument("--add", action="append", default=[])
    p.add_argument("--busybox-tree", type=Path)
    p.add_argument("--step-timeout", type=float, default=60.0)
    args, runner_args = p.parse_known_args()
    try:
        listed = read_expectations(args.expectations)
    except ExpectationsError as e:
        print(f"{args.suite}: FAIL: {e}", flush=True)
        return 1
    work = Path(tempfile.mkdtemp(prefix="axo-suite-"))
    try:
        try:
            image = make_image(args, work)
        except (ExpectationsError, OSError) as e:
            print(f"{args.suite}: FAIL: the image: {e}", flush=True)
            return 1
        runner_args += ["--extra-qemu-arg=-drive",
                        f"--extra-qemu-arg=file={image},format=raw,if=ide,index=0",
                        # The runner stops QEMU when its log shows the marker. QEMU's COM1
                        # log can repeat a byte the socket took on a second try, so each
                        # character may come more than once there (the socket has it once).
                        "--expect=" + "".join(re.escape(c) + "+" for c in f"{END}-done")]
        problems: list[str] = []

        def scenario(t: SerialTerminal) -> None:
            t.expect(PROMPT, timeout=60)
            # The marker is computed, so that the echo of the typed line does not match it.
            t.type(f"{args.command}; echo {END}-$(echo done)".encode() + ENTER)
            # Line by line: a step silent for --step-timeout fails, showing the last output.
            while not t.expect(rf"^({END}-done)\r?$|\n", timeout=args.step_timeout).group(1):
                pass
            shown = render(t.text())
            problems.extend(judge(args.suite, shown, listed))
            for problem in problems:
                print(f"{args.suite}: {problem}", flush=True)
            if problems:
                raise TerminalError(f"{len(problems)} differences from {args.expectations.name}")

        return run_with_terminal(args.suite, runner_args, scenario)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
