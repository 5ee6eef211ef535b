#!/usr/bin/env python3
"""A fresh raw disk image for the ATA driver's tests, around qemu_run.py or bochs_run.py.

    ata_disk.py --runner qemu|bochs --layout ata|restart --disk PATH RUNNER_ARGUMENTS...

Makes PATH (16128 sectors of 512 bytes: 16 cylinders x 16 heads x 63 sectors, a geometry
Bochs accepts for a flat image), zero except for the host's own sectors (the pattern with
seed 99 at LBA 2048..2063, which the guest must read back as written), boots the runner with
the image as the primary channel's master (QEMU: -drive if=ide,index=0; Bochs: ata0-master,
the CD-ROM moved to ata1), and after the run checks the image byte for byte:

  layout ata      the guest's pattern (seed 1) at LBA 0, 1000..1127, 4000..4299 and the last
                  sector; the host's sectors unchanged; zeros everywhere else
  layout restart  each sector of 5000..6023 either zero or the pattern with seed 2 (a write
                  cut off by a kill may leave some sectors unwritten, never wrong ones); the
                  host's sectors unchanged; zeros everywhere else

The pattern is tests/guest/drivers/ata_common.h's pattern_byte. The run passes if the runner
passes (the guest's TAP) and the image is as expected.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import wrap
from wrap import RUNNERS

TAG = "ata_disk"
SECTOR = 512
CYLINDERS, HEADS, SPT = 16, 16, 63
SECTORS = CYLINDERS * HEADS * SPT  # 16128
SEED_GUEST, SEED_HOST, SEED_RESTART = 1, 99, 2
HOST_LBA, HOST_COUNT = 2048, 16
RESTART_LBA, RESTART_COUNT = 5000, 1024
GUEST_RANGES = [(0, 1), (1000, 128), (4000, 300), (SECTORS - 1, 1)]


def sector(lba: int, seed: int) -> bytes:
    """ata_common.h: pattern_byte(lba, i, seed) for i in 0..511."""
    head = (lba & 0xFFFFFFFF).to_bytes(4, "little") + (0xA7A00000 | seed).to_bytes(4, "little")
    rest = bytes(((lba * 31 + i * 7 + seed * 101 + (lba >> 8) + (i >> 8) * 13) & 0xFF)
                 for i in range(8, SECTOR))
    return head + rest


def make_image(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.truncate(SECTORS * SECTOR)
        f.seek(HOST_LBA * SECTOR)
        f.write(b"".join(sector(HOST_LBA + i, SEED_HOST) for i in range(HOST_COUNT)))


def check_image(path: Path, layout: str) -> str | None:
    data = path.read_bytes()
    if len(data) != SECTORS * SECTOR:
        return f"the image has {len(data)} bytes, expected {SECTORS * SECTOR}"
    want: dict[int, bytes] = {HOST_LBA + i: sector(HOST_LBA + i, SEED_HOST) for i in range(HOST_COUNT)}
    either: set[int] = set()
    if layout == "ata":
        for lba, count in GUEST_RANGES:
            for i in range(count):
                want[lba + i] = sector(lba + i, SEED_GUEST)
    else:
        either = set(range(RESTART_LBA, RESTART_LBA + RESTART_COUNT))
    zero = bytes(SECTOR)
    written = 0
    for lba in range(SECTORS):
        got = data[lba * SECTOR:(lba + 1) * SECTOR]
        if lba in either:
            if got == zero:
                continue
            expected = sector(lba, SEED_RESTART)
            written += 1
        else:
            expected = want.get(lba, zero)
        if got != expected:
            at = next(i for i in range(SECTOR) if got[i] != expected[i])
            return (f"sector {lba} differs at byte {at}: {got[at]:#04x}, expected "
                    f"{expected[at]:#04x} ({'zeros' if expected == zero else 'the pattern'})")
    if layout == "restart" and written == 0:
        return "the restart test wrote nothing"
    note = f", {written} of the restart range written" if layout == "restart" else ""
    print(f"{TAG}: the image is as expected: {SECTORS} sectors checked{note}", flush=True)
    return None


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runner", choices=sorted(RUNNERS), required=True)
    p.add_argument("--layout", choices=["ata", "restart"], required=True)
    p.add_argument("--disk", type=Path, required=True)
    args, runner_args = p.parse_known_args()

    disk = args.disk.resolve()
    make_image(disk)
    if args.runner == "qemu":
        extra = ["--extra-qemu-arg=-drive",
                 f"--extra-qemu-arg=file={disk},format=raw,if=ide,index=0,media=disk"]
    else:
        extra = [f"--disk={disk}", f"--disk-geometry={CYLINDERS},{HEADS},{SPT}"]
    print(f"{TAG}: fresh image {disk} ({SECTORS} sectors)", flush=True)
    status = wrap.run_runner(args.runner, runner_args, extra)
    return wrap.finish(TAG, status, check_image(disk, args.layout),
                       "the image holds exactly what the guest and the host wrote")


if __name__ == "__main__":
    sys.exit(main())
