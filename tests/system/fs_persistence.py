#!/usr/bin/env python3
"""fs-persistence: what the system writes to its disk survives a clean shutdown. The system
`./axo run` boots (init as process 1, fs on the ext2 root) runs on a writable copy of the root
image the build made:

  1. at the shell: sqlite3 makes a database file (its locks are fcntl's), echo a file, df shows
     the root; `poweroff`: init ends every process, fs writes everything and marks the disk
     clean, proc powers off (the run ends by itself);
  2. on the host: e2fsck -fn finds nothing wrong, dumpe2fs says the state is clean, debugfs
     reads the file back;
  3. the same image boots again: sqlite3 reads the rows, the file is there; `poweroff` again,
     and e2fsck is still happy;
  4. the image is marked not clean on the host (as a power cut leaves it): fs mounts it
     read-only and says so, and a write fails with EROFS.

    fs_persistence.py --image=ROOTFS.IMG RUNNER_ARGUMENTS...     (qemu_run.py's)
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harness"))
from serial_terminal import ENTER, SerialTerminal, run_with_terminal  # noqa: E402

TAG = "fs-persistence"
PROMPT = r"# $"
PROC_LINES = r"(?:proc: [^\r\n]*\r\n)*"
SBIN = "PATH=$PATH:/usr/sbin:/sbin"


def lines(shown: list[str]) -> str:
    """The regex of `shown` as whole lines, one after the other, proc's lines allowed between."""
    return r"\r\n" + PROC_LINES + ("\r\n" + PROC_LINES).join(shown) + r"\r\n"


def command(t: SerialTerminal, typed: str, shown: list[str], timeout: float = 60) -> None:
    t.type(typed.encode() + ENTER)
    t.expect(lines(shown), timeout=timeout)
    t.expect(PROMPT, timeout=timeout)


def power_off(t: SerialTerminal) -> None:
    t.type(b"poweroff" + ENTER)
    t.expect(r"init: the system is going down: power off", timeout=60)
    t.expect(r"fs: shutdown: everything written, the disk is clean", timeout=60)
    t.expect(r"proc: power off, asked by process 1\b", timeout=60)


def first_boot(t: SerialTerminal) -> None:
    t.expect(PROMPT, timeout=120)
    command(t, "sqlite3 /root/t.db 'create table t(a, b); insert into t values (1, \"one\"), "
               "(2, \"two\"); select count(*) from t;'", ["2"])
    command(t, "echo kept-$((6 * 7)) > /root/note.txt && cat /root/note.txt", ["kept-42"])
    command(t, "df / | tail -n 1 | awk '{print ($2 > 0) \"-\" $6}'", ["1-/"])
    power_off(t)


def second_boot(t: SerialTerminal) -> None:
    t.expect(PROMPT, timeout=120)
    command(t, "sqlite3 /root/t.db 'select b from t order by a;'", ["one", "two"])
    command(t, "cat /root/note.txt", ["kept-42"])
    power_off(t)


def dirty_boot(t: SerialTerminal) -> None:
    t.expect(r"fs: the root file system was not cleanly unmounted: mounted read-only", timeout=120)
    t.expect(PROMPT, timeout=120)
    command(t, "cat /root/note.txt", ["kept-42"])
    command(t, "echo new > /root/new", [r"-sh: \d+: cannot create /root/new: Read-only file system"])
    t.type(b"echo dirty-boot-$((1 + 1))" + ENTER)
    t.expect(r"\r\ndirty-boot-2\r\n", timeout=30)


def host(what: str, argv: list[str]) -> subprocess.CompletedProcess:
    done = subprocess.run(["sh", "-c", SBIN + " exec \"$@\"", "sh", *argv],
                          capture_output=True, text=True)
    print(f"{TAG}: host: {what}: {' '.join(argv)} -> {done.returncode}", flush=True)
    return done


def check_clean(image: Path) -> str | None:
    """None if e2fsck and dumpe2fs find the image clean, else why not."""
    fsck = host("e2fsck", ["e2fsck", "-fn", str(image)])
    if fsck.returncode != 0:
        return f"e2fsck -fn exited {fsck.returncode}:\n{fsck.stdout}{fsck.stderr}"
    header = host("dumpe2fs", ["dumpe2fs", "-h", str(image)])
    state = re.search(r"^Filesystem state:\s*(.*)$", header.stdout, re.MULTILINE)
    if state is None or state.group(1).strip() != "clean":
        return f"the superblock's state is {state.group(1) if state else '?'!r}, not clean"
    return None


def boot(name: str, runner_args: list[str], image: Path, log_dir: Path, scenario) -> int:
    args = [a for a in runner_args if not a.startswith("--log=")]
    args += [f"--log={log_dir / (TAG + '-' + name + '.log')}",
             "--extra-qemu-arg=-drive",
             f"--extra-qemu-arg=file={image},format=raw,if=ide,index=0"]
    print(f"{TAG}: {name} boot", flush=True)
    return run_with_terminal(f"{TAG} ({name} boot)", args, scenario)


def main(argv: list[str]) -> int:
    built = next((Path(a.split("=", 1)[1]) for a in argv if a.startswith("--image=")), None)
    runner_args = [a for a in argv if not a.startswith("--image=")]
    log = next((Path(a.split("=", 1)[1]) for a in argv if a.startswith("--log=")), None)
    if built is None or log is None:
        print(f"{TAG}: FAIL: usage: --image=ROOTFS.IMG --log=PATH RUNNER_ARGUMENTS...")
        return 2
    log_dir = log.parent
    log_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="axo-persistence-") as work:
        image = Path(work) / "rootfs.img"
        shutil.copyfile(built, image)  # a copy: the build's image stays as built

        # The runner's expectations: the shutdown's lines, and QEMU ends by itself with the
        # kernel's "tests done" status (the power off), not by the runner.
        shutdown = ["--expect=fs: shutdown: everything written", "--expect=proc: power off",
                    "--expect=axolotl: halting"]
        if boot("first", runner_args + shutdown, image, log_dir, first_boot) != 0:
            return 1
        if (why := check_clean(image)) is not None:
            print(f"{TAG}: FAIL: after the first power off: {why}")
            return 1
        note = host("debugfs", ["debugfs", "-R", "cat /root/note.txt", str(image)])
        if note.stdout.strip() != "kept-42":
            print(f"{TAG}: FAIL: debugfs reads {note.stdout!r} from /root/note.txt")
            return 1
        database = host("debugfs", ["debugfs", "-R", "stat /root/t.db", str(image)])
        if "Type: regular" not in database.stdout:
            print(f"{TAG}: FAIL: no /root/t.db on the disk: {database.stdout}{database.stderr}")
            return 1

        if boot("second", runner_args + shutdown, image, log_dir, second_boot) != 0:
            return 1
        if (why := check_clean(image)) is not None:
            print(f"{TAG}: FAIL: after the second power off: {why}")
            return 1

        # A power cut: the state says "not clean" (what fs writes at a read-write mount).
        dirty = host("debugfs", ["debugfs", "-w", "-R", "ssv state 0", str(image)])
        if dirty.returncode != 0:
            print(f"{TAG}: FAIL: debugfs could not mark the image not clean: {dirty.stderr}")
            return 1
        # The run ends once the scenario's last line came (the echo's output, not its typing).
        unclean = ["--expect=fs: the root file system was not cleanly unmounted",
                   "--expect=dirty-boot-2"]
        if boot("dirty", runner_args + unclean, image, log_dir, dirty_boot) != 0:
            return 1
    print(f"{TAG}: PASS: written, powered off clean, read back after a reboot; a dirty disk is "
          f"mounted read-only", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
