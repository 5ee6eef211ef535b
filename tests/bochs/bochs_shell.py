#!/usr/bin/env python3
"""bochs-iso-shell: the default system (image/boot.conf, what `./axo image` puts on its ISO) from
a GRUB ISO on Bochs' Pentium, with a copy of the root file system the build made as the primary
ATA disk: GRUB -> kernel -> servers -> init -> dash's prompt on COM1; then a person types a
command there and sees its output, and the tty names the console.

    bochs_shell.py --rootfs IMAGE RUNNER_ARGUMENTS...     (bochs_run.py's)

COM1 is a TCP connection from Bochs to this program (bochs_run.py --com1-tcp), which writes every
byte it receives to the runner's serial log; the runner judges that log (its --expect) and stops
Bochs once the last command's output is there.
"""
from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.dont_write_bytecode = True
sys.path.insert(0, str(ROOT / "tests" / "harness"))
sys.path.insert(0, str(ROOT / "tests" / "system"))
from serial_terminal import ENTER, SerialTerminal  # noqa: E402
import wrap  # noqa: E402

TAG = "bochs-iso-shell"
PROMPT = r"# $"
# Bochs' flat disks are whole cylinders of 16 heads and 63 sectors (image/README.md).
HEADS, SECTORS = 16, 63


def scenario(t: SerialTerminal, prompt_timeout: float) -> None:
    t.expect(PROMPT, timeout=prompt_timeout)
    started = time.monotonic()
    # Keys one at a time, slowly: Bochs takes a byte off the socket whatever the UART's FIFO
    # holds, and the guest runs several times slower than QEMU.
    t.type(b"echo $((6 * 7)) $(cat /etc/hostname) | tr a-z A-Z; tty" + ENTER, delay=0.1)
    t.expect(r"\r\n42 AXOLOTL\r\n/dev/console\r\n", timeout=120)
    t.expect(PROMPT, timeout=120)
    print(f"{TAG}: the command's output came {time.monotonic() - started:.1f} s after it was "
          "typed", flush=True)
    t.type(b"uname -sm; echo iso-shell-$((40 + 2))-done" + ENTER, delay=0.1)
    t.expect(r"\r\nAxolotl i586\r\niso-shell-42-done\r\n", timeout=120)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rootfs", type=Path, required=True, help="the root file system image")
    args, runner_args = p.parse_known_args()
    timeout = float(wrap.runner_option(runner_args, "timeout") or 600)
    log = wrap.runner_option(runner_args, "log")
    if log is None or not args.rootfs.is_file():
        print(f"{TAG}: needs --log=PATH and --rootfs IMAGE (a file)", flush=True)
        return 77
    log = Path(log)
    log.parent.mkdir(parents=True, exist_ok=True)

    # A copy: what the system writes stays out of the build's image.
    work = Path(tempfile.mkdtemp(prefix="axo-bochs-shell-", dir=log.parent))
    disk = work / "disk.img"
    shutil.copyfile(args.rootfs, disk)
    size = disk.stat().st_size
    if size % (HEADS * SECTORS * 512):
        print(f"{TAG}: {args.rootfs} is not a whole number of cylinders", flush=True)
        return 77
    geometry = f"{size // (HEADS * SECTORS * 512)},{HEADS},{SECTORS}"

    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    started = time.monotonic()
    runner = subprocess.Popen([sys.executable, str(wrap.RUNNERS["bochs"]), *runner_args,
                               f"--disk={disk}", f"--disk-geometry={geometry}",
                               f"--com1-tcp={port}"])
    verdict = None
    terminal = None
    try:
        server.settimeout(60)
        conn, _ = server.accept()
        terminal = SerialTerminal(None, sock=conn, log=log, alive=lambda: runner.poll() is None)
        scenario(terminal, prompt_timeout=timeout)
        print(f"{TAG}: prompt, command and output in {time.monotonic() - started:.1f} s",
              flush=True)
    except Exception as e:  # noqa: BLE001 - any failure of the scenario is the verdict
        verdict = f"{type(e).__name__}: {e}"
    if verdict is not None:
        runner.terminate()  # the runner stops Bochs and reports the serial log so far
    status = runner.wait()
    if terminal:
        terminal.close()
    server.close()
    shutil.rmtree(work, ignore_errors=True)
    return wrap.finish(TAG, status, verdict, "the prompt came, the command ran, its output was seen")


if __name__ == "__main__":
    sys.exit(main())
