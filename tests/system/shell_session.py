#!/usr/bin/env python3
"""shell-session: a person at the serial console of the system `./axo run` boots — init's login
shell (dash, /bin/sh on the ext2 root) with busybox's utilities, lua and sqlite3 — types
commands and checks what the screen shows: pipelines, redirections, a script, ports, a tar and
gzip round trip, the system applets (free, uptime, mount, time) and svc, and job control (^C,
^Z, jobs, bg, fg).

    shell_session.py RUNNER_ARGUMENTS...     (qemu_run.py's)
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harness"))
from serial_terminal import (CTRL_C, CTRL_Z, ENTER, ESC, UP, SerialTerminal,  # noqa: E402
                             run_with_terminal)

TAG = "shell-session"
PROMPT = r"# $"

# (what is typed, the lines the output must show before the next prompt, each a regex). proc's
# own log lines (a child's exit) share the console and may come between any two.
COMMANDS = [
    # a pipeline of busybox applets, programs found through PATH on the disk
    ("ls /bin | sort | head -n 3", ["ash", "busybox", "cat"]),
    # redirections into a file on tmpfs, the working directory
    ("cd /tmp && echo data > f && echo more >> f && wc -l < f && pwd", ["2", "/tmp"]),
    # a here-document and command substitution (both pipes in dash)
    ("cat <<END\nhere $(echo doc)\nEND", ["here doc"]),
    # a script with a function, a loop and a trap on EXIT, run by a second dash
    ("printf 'f() { echo \"[$1]\"; }\\ntrap \"echo bye\" EXIT\\nfor i in 1 2; do f $i; done\\n' > s.sh"
     " && sh s.sh", [r"\[1\]", r"\[2\]", "bye"]),
    ("seq 1 100 | awk '{s+=$1} END {print s}'", ["5050"]),
    ("lua -e 'local t = {} for i = 1, 6 do t[i] = i end print(#t * 7)'", ["42"]),
    ("sqlite3 :memory: 'create table t(a); insert into t values (6), (7); select a * 6 from t "
     "order by a;'", ["36", "42"]),
    # a gzip round trip through a pipe and a file, checked by checksums
    ("gzip -c < /etc/passwd > /tmp/p.gz && gunzip -c /tmp/p.gz | md5sum > c && md5sum < /etc/passwd"
     " > d && cmp c d && echo round-trip && test -s /tmp/p.gz && echo non-empty",
     ["round-trip", "non-empty"]),
    ("cat /etc/passwd | md5sum > a; md5sum < /etc/passwd > b; cmp a b && echo same", ["same"]),
    ("echo $((6 * 7)) $(id -u 2>/dev/null || echo 0)", ["42 0"]),
    # a tar | gzip round trip: a tree archived and compressed through a pipe, unpacked elsewhere
    # through another, every file checked against the original's md5 sum
    ("mkdir -p /tmp/t/d && cd /tmp && seq 1 3000 > t/d/n && cp /etc/passwd t/p && md5sum t/d/n t/p"
     " > sums && tar c t | gzip > t.tgz && mkdir x && cd x && gunzip -c ../t.tgz | tar x"
     " && md5sum -c ../sums && cd /tmp", ["t/d/n: OK", "t/p: OK"]),
    # the system's applets: memory and uptime from sysinfo(), the mount table, a timed command
    ("free", [r"\s+total\s+used\s+free\s+shared\s+buff/cache\s+available",
              r"Mem:\s+[1-9]\d*\s+[1-9]\d*\s+[1-9]\d*\s+0\s+0\s+[1-9]\d*",
              r"Swap:\s+0\s+0\s+0"]),
    ("uptime", [r" *\d\d:\d\d:\d\d up +\d+ min, +load average: 0\.00, 0\.00, 0\.00"]),
    ("mount", ["/dev/hda on / type ext2 \\(rw\\)", "devfs on /dev type devfs \\(rw\\)",
               r"tmpfs on /tmp type tmpfs \(rw,mode=1777,size=2048k\)"]),
    # a tmpfs mounted at run time (busybox adds it to /etc/mtab), used, and unmounted; /tmp is
    # busy (the shell's working directory is in it); fs's statistics
    ("mount -t tmpfs none /mnt && echo inside > /mnt/f && cat /mnt/f && mount | grep /mnt",
     ["inside", r"none on /mnt type tmpfs \(.*\)"]),
    ("umount /mnt && ls /mnt | wc -l && grep -c /mnt /etc/mtab", ["0", "0"]),
    ("umount /tmp", ["umount: can't unmount /tmp: Device or resource busy"]),
    ("fsstat", [r"cache_hits [1-9]\d*", r"cache_misses [1-9]\d*", r"cache_blocks [1-9]\d*",
                r"cache_dirty \d+", r"open_descriptions [1-9]\d*", r"open_files \d+",
                r"mounts [3-8]", r"processes [1-9]\d*"]),
    ("time sleep 1", [r"real\t0m 1\.\d\ds", r"user\t0m 0\.00s", r"sys\t0m 0\.00s"]),
]


PROC_LINES = r"(?:proc: [^\r\n]*\r\n)*"


def lines(shown: list[str]) -> str:
    """The regex of `shown` as whole lines, one after the other, proc's lines allowed between."""
    return r"\r\n" + PROC_LINES + ("\r\n" + PROC_LINES).join(shown) + r"\r\n"


def command(t: SerialTerminal, typed: str, *shown: str, timeout: float = 30) -> None:
    """Types `typed` and Enter; each of `shown` (a regex) must come, in order, then the prompt."""
    t.type(typed.encode() + ENTER)
    for pattern in shown:
        t.expect(pattern, timeout=timeout)
    t.expect(PROMPT, timeout=timeout)


def services(t: SerialTerminal) -> None:
    """svc lists servers, drivers and programs from proc — a program by the name of the file it
    exec'd — and restarts a driver, whose restart count then shows."""
    row = r"\r\n *\d+ +\d+ +running +"
    command(t, "svc", r"PID +PPID +STATE +KIND +RESTARTS +MEM\(KiB\) +THR +NAME",
            row + r"server +- +- +1 +mm", row + r"supervised +0 +\d+ +\d+ +tty",
            row + r"server +- +\d+ +\d+ +fs", row + r"program +- +\d+ +1 +svc\r\n")
    command(t, "svc restart pci",
            r"svc: pci restarted: process \d+ ended, process \d+ runs \(restart 1\) and serves")
    command(t, "svc | grep pci", row + r"supervised +1 +\d+ +\d+ +pci\r\n")
    command(t, "svc restart fs",
            r"svc: proc does not restart fs \(its boot line has no on-exit=restart\)")


def edit_with_vi(t: SerialTerminal) -> None:
    """vi on the full screen: insert, ESC, open a line below, the cursor key up, append, :wq.
    busybox's vi waits for each key with poll() on the tty (libposix/poll.cc)."""
    t.type(b"vi /tmp/v.txt" + ENTER)
    t.expect(r"/tmp/v\.txt", timeout=30)  # the status line
    time.sleep(1.0)
    t.type(b"ifirst line")
    t.key(ESC)
    t.type(b"osecond line")
    t.key(ESC)
    t.key(UP)
    t.type(b"A, edited")
    t.key(ESC)
    t.type(b":wq" + ENTER)
    t.expect(PROMPT, timeout=30)
    command(t, "cat /tmp/v.txt", lines(["first line, edited", "second line"]))


def job_control(t: SerialTerminal) -> None:
    """^C ends a foreground job; ^Z stops one, jobs lists it, bg continues it in the background,
    fg brings it back, and ^C ends it."""
    t.type(b"sleep 100" + ENTER)
    time.sleep(1.0)
    t.type(CTRL_C)
    t.expect(PROMPT, timeout=20)
    t.type(b"sleep 100" + ENTER)
    time.sleep(1.0)
    t.type(CTRL_Z)
    t.expect(r"\[1\] *\+ *Stopped[^\r\n]* +sleep 100", timeout=20)
    t.expect(PROMPT, timeout=20)
    command(t, "jobs", r"\[1\] *\+ *Stopped[^\r\n]* +sleep 100")
    command(t, "bg", r"\[1\] sleep 100")
    command(t, "jobs", r"\[1\] *\+ *Running +sleep 100")
    t.type(b"fg" + ENTER)
    t.expect(r"\r\nsleep 100\r\n", timeout=20)
    time.sleep(1.0)
    t.type(CTRL_C)
    t.expect(PROMPT, timeout=20)
    t.type(b"jobs; echo no-jobs-left" + ENTER)
    t.expect(r"\r\nno-jobs-left\r\n", timeout=20)
    t.expect(PROMPT, timeout=20)


def processes(t: SerialTerminal) -> None:
    """busybox's ps reads /proc (fs's procfs, which asks proc): its header, init as pid 1, the
    login shell and ps itself, each with its user, size, state and command line; a process's
    files; tty names the console (libposix's ttyname_r)."""
    row = r"\r\n *\d+ root +\S+ S +"
    command(t, "ps", r"\r\n +PID USER +VSZ STAT COMMAND", r"\r\n +1 root +\S+ S +init\r\n",
            row + r"(?:\{-sh\} )?-sh -i\r\n", row + r"ps\r\n")
    command(t, "cat /proc/1/cmdline | tr '\\0' '|'; echo", r"\r\ninit\|\r\n")
    command(t, "tr '\\0' '|' < /proc/$$/cmdline; echo; cut -d' ' -f1,3,4 /proc/$$/stat",
            r"\r\n-sh\|-i\|\r\n\d+ S 1\r\n")
    # the login shell's standard input is the console, and tty names its device file
    command(t, "tty; tty < /dev/null || echo status $?", r"\r\n/dev/console\r\nnot a tty\r\n"
            r"status 1\r\n")
    command(t, "grep -c '^PPid:' /proc/1/status; ls /proc | grep -c uptime", r"\r\n1\r\n1\r\n")
    command(t, "echo x > /proc/1/stat", r"Read-only file system")
    command(t, "df / /tmp", r"/dev/hda +\d+ +\d+ +\d+ +\d+% /\r\n", r"tmpfs +\d+ .* /tmp\r\n")


def scenario(t: SerialTerminal) -> None:
    t.expect(PROMPT, timeout=60)
    for typed, shown in COMMANDS:
        t.type(typed.encode() + ENTER)
        t.expect(lines(shown), timeout=30)
        t.expect(PROMPT, timeout=30)
    services(t)
    processes(t)
    job_control(t)
    edit_with_vi(t)
    t.type(b"echo session-$((40 + 2))-done" + ENTER)
    t.expect(r"session-42-done", timeout=20)


if __name__ == "__main__":
    sys.exit(run_with_terminal(TAG, sys.argv[1:], scenario))
