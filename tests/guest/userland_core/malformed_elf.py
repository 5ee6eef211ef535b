#!/usr/bin/env python3
"""Malformed copies of a good i386 ELF executable, for the userland-core test (README.md):
boot modules that proc must refuse to spawn (servers/proc: its module check, kernel/elf.cc).

    malformed_elf.py GOOD OUTDIR

writes three files to OUTDIR:
  elf_truncated  the first 100 bytes: the program header table runs past the end of the file
  elf_overlap    a second program header made a copy of the first PT_LOAD: two segments overlap
  elf_huge       the first PT_LOAD's memsz is 0xF0000000: it wraps the address space / leaves
                 user space
"""
import os
import struct
import sys

PT_LOAD = 1
EHDR = struct.Struct("<16sHHIIIIIHHHHHH")  # Elf32_Ehdr
PHDR = struct.Struct("<IIIIIIII")  # Elf32_Phdr: type offset vaddr paddr filesz memsz flags align


def fail(message):
    sys.exit(f"malformed_elf.py: {message}")


def main():
    if len(sys.argv) != 3:
        fail("usage: malformed_elf.py GOOD OUTDIR")
    good_path, outdir = sys.argv[1], sys.argv[2]
    with open(good_path, "rb") as f:
        good = f.read()
    if len(good) < EHDR.size or good[:4] != b"\x7fELF" or good[4] != 1:
        fail(f"{good_path}: not a 32-bit ELF")
    header = EHDR.unpack_from(good, 0)
    phoff, phentsize, phnum = header[5], header[9], header[10]
    if phentsize != PHDR.size or phnum < 2:
        fail(f"{good_path}: needs at least two program headers of {PHDR.size} bytes")
    if phoff + 2 * PHDR.size <= 100:
        fail(f"{good_path}: 100 bytes would still hold two program headers")
    headers = [PHDR.unpack_from(good, phoff + i * PHDR.size) for i in range(phnum)]
    loads = [i for i, ph in enumerate(headers) if ph[0] == PT_LOAD and ph[5] != 0]
    if not loads:
        fail(f"{good_path}: no PT_LOAD segment")
    first = loads[0]
    os.makedirs(outdir, exist_ok=True)

    def write(name, data):
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)

    write("elf_truncated", good[:100])

    # Overwrite another header (a second PT_LOAD if there is one) with the first PT_LOAD: both
    # are valid on their own, together they overlap.
    other = loads[1] if len(loads) > 1 else next(i for i in range(phnum) if i != first)
    overlap = bytearray(good)
    PHDR.pack_into(overlap, phoff + other * PHDR.size, *headers[first])
    write("elf_overlap", bytes(overlap))

    huge = bytearray(good)
    ph = list(headers[first])
    ph[5] = 0xF0000000
    PHDR.pack_into(huge, phoff + first * PHDR.size, *ph)
    write("elf_huge", bytes(huge))


if __name__ == "__main__":
    main()
