#!/usr/bin/env python3
"""Writes the hand-made seed corpus (corpus/<target>/): small, readable inputs that reach deep
into each parser. Run once after changing a target's input format; the files are committed.
Regression inputs found by fuzzing are committed beside them, named after what they pin."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- ELF: a static i386 executable, header + program headers + a few bytes of code --------
def elf(segments, entry):
    phoff = 52
    header = b"\x7fELF" + bytes([1, 1, 1]) + bytes(9)
    header += struct.pack("<HHIIIIIHHHHHH", 2, 3, 1, entry, phoff, 0, 0, 52, 32,
                          len(segments), 40, 0, 0)
    body = b"".join(struct.pack("<8I", *s) for s in segments)
    image = header + body
    return image + b"\x90" * (0x80 - len(image))


PT_LOAD, PT_NOTE, R, W, X = 1, 4, 4, 2, 1
write("elf", "one_text_segment",
      elf([(PT_LOAD, 0, 0x08048000, 0x08048000, 0x80, 0x80, R | X, 0x1000)], 0x08048060))
write("elf", "text_and_bss",
      elf([(PT_LOAD, 0, 0x08048000, 0x08048000, 0x80, 0x80, R | X, 0x1000),
           (PT_NOTE, 0x60, 0, 0, 8, 8, R, 4),
           (PT_LOAD, 0x60, 0x08049060, 0x08049060, 0x10, 0x2000, R | W, 0x1000)], 0x08048070))
write("elf", "overlapping_segments",
      elf([(PT_LOAD, 0, 0x08048000, 0x08048000, 0x80, 0x1000, R | X, 0x1000),
           (PT_LOAD, 0, 0x08048000, 0x08048000, 0x80, 0x80, R | W, 0x1000)], 0x08048060))


# ---- Multiboot: memory from 0x10000, the boot information at its start ---------------------
BASE = 0x10000


def multiboot(flags, mem=(639, 130048), cmdline=None, mmap=(), modules=()):
    memory = bytearray(0x400)
    info = [0] * 22
    info[0], info[1], info[2] = flags, mem[0], mem[1]
    if cmdline is not None:
        memory[0x80:0x80 + len(cmdline) + 1] = cmdline.encode() + b"\0"
        info[4] = BASE + 0x80
    if modules:
        info[5], info[6] = len(modules), BASE + 0x200
        for i, (start, end, text) in enumerate(modules):
            at = 0x300 + i * 0x40
            memory[at:at + len(text) + 1] = text.encode() + b"\0"
            memory[0x200 + 16 * i:0x200 + 16 * i + 16] = struct.pack("<4I", start, end, BASE + at, 0)
    if mmap:
        entries = b"".join(struct.pack("<IQQI", 20, b, l, t) for b, l, t in mmap)
        memory[0x100:0x100 + len(entries)] = entries
        info[11], info[12] = len(entries), BASE + 0x100
    memory[0:80] = struct.pack("<22I", *info)[:80]
    return bytes(memory)


write("multiboot", "memory_fields_only", multiboot(1))
write("multiboot", "mmap_cmdline_modules",
      multiboot(1 | 4 | 8 | 64, cmdline="/boot/kernel.elf test=kernel",
                mmap=[(0, 0x9fc00, 1), (0x9fc00, 0x400, 2), (0xf0000, 0x10000, 2),
                      (0x100000, 0x7ee0000, 1), (0xfffc0000, 0x40000, 2)],
                modules=[(0x200000, 0x210000, "/boot/sigma0 sigma0"),
                         (0x210000, 0x220123, "/boot/proc proc")]))
write("multiboot", "overlapping_mmap",
      multiboot(64, mmap=[(0x100000, 0x1000000, 1), (0x800000, 0x1000, 2),
                          (0x800000, 0x2000, 1), (0xffffffff000, 0x2000, 1)]))

# ---- Command line and boot configuration: text ----------------------------------------------
write("command_line", "typical", "/boot/kernel.elf test=kernel console=com1 verbose")
write("command_line", "numbers_and_duplicates",
      "a=1 b=0x10\tc=4294967296 a=yes d= flag e=0xfffffffff")
write("command_line", "empty_key", "x=1 =oops")
write("boot_config", "typical",
      "/boot/proc verbose\n"
      "/boot/servers/drivers/serial/serial name=com1 port=0x3f8-0x3ff irq=4 console on-exit=restart\n"
      "/boot/pci port=0xcf8-0xcff on-exit=restart\n"
      "/boot/e1000 pci=8086:100e.1 mem=0xb8000-0xbffff start=spawn on-exit=shutdown\n")
write("boot_config", "conflicts",
      "/boot/proc\n/boot/a port=0x60 irq=1\n/boot/b port=0x5f-0x60 irq=3\n/boot/a name=a\n"
      "/boot/c irq=2\n/boot/d mem=0x1000-0x1fff mem=0x1000-0x2fff\n")
write("text_number", "decimal", "4294967295")
write("text_number", "hex", "0xDEADbeef")
write("text_number", "overflow", "0x100000000")

# ---- IPC: message registers, 64 little-endian words -------------------------------------
def registers(tag, *words):
    regs = [tag] + list(words)
    return struct.pack("<%dI" % len(regs), *regs)


def tag(label, untyped, typed=0):
    return (label << 16) | ((typed & 0x3F) << 6) | (untyped & 0x3F)


write("ipc_message", "page_fault_write", registers(tag(0xFFE0 | 2, 2), 0x08049004, 0x08048010))
write("ipc_message", "request_with_map_item",
      registers(tag(0x0701, 5, 2), 1, 2, 3, 4, 5, 0x40000000 | 0x8, (0x40000000 | (12 << 4) | 6)))
write("ipc_message", "error_reply", registers(tag(4, 0)))
write("ipc_message", "wire_strings", registers(tag(0x0101, 9), *struct.unpack("<9I", b"console\0" + b"x" * 28)))


# ---- ipc_dispatch: [sender, route pick, untyped, typed, raw flag, words, words...] --------
def dispatch(sender, route, words, typed=0):
    return bytes([sender, route, len(words), typed, 0, len(words)]) + struct.pack(
        "<%dI" % len(words), *words)


ROOT, A = 0, 1  # sender < 128: the root task
write("ipc_dispatch", "attach_create_statistics",
      dispatch(ROOT, 0, [(50 << 14) | 1, 0, 0, 0xFFFFFFFF, 0])
      + dispatch(ROOT, 2, [(50 << 14) | 1, 0x10000000, 0x4000, 6, 0, 0, 0, 0, 0])
      + dispatch(ROOT, 8, [(50 << 14) | 1]))
write("ipc_dispatch", "wrong_shapes",
      dispatch(ROOT, 0, [1, 2, 3]) + dispatch(ROOT, 5, [1, 2, 3], typed=2)
      + dispatch(200, 250, []) + dispatch(ROOT, 11, []))


# ---- mm: steps [client thread, operation, operands..., sender] ---------------------------
def attach(c, quota=0xFF, heap=0):
    return bytes([c, 0, quota, heap, 3])


def create(c, page, pages, rights=6, kind=0, object_pick=0, offset=0):
    b = bytes([c, 2, 0, page, pages - 1, rights, kind, object_pick])
    if object_pick >= 128:
        b += bytes([offset])
    return b + bytes([3])


def fault(c, page, write, pager_fails=0):
    return bytes([c, 10, page, 0, 1 if write else 0, pager_fails, 0x5A])


def duplicate(src, dst):
    return bytes([src, 5, dst, 3])


def unmap(c, page, pages):
    return bytes([c, 3, page, pages - 1, 3])


def detach(c):
    return bytes([c, 1, 3])


write("mm", "copy_on_write",
      attach(0) + attach(1) + create(0, 0, 4) + fault(0, 0, True) + fault(0, 1, True)
      + duplicate(0, 1) + fault(1, 0, False) + fault(0, 0, True) + fault(1, 0, True)
      + fault(1, 1, False) + unmap(0, 1, 1) + fault(1, 1, True) + detach(1))
write("mm", "shared_object",
      attach(0) + attach(1) + create(0, 0, 2, kind=1) + create(1, 8, 2, kind=1, object_pick=128)
      + fault(0, 0, True) + fault(1, 8, False) + fault(1, 9, True) + unmap(0, 0, 2)
      + fault(1, 8, True) + detach(1))
write("mm", "quota_and_threads",
      attach(0, quota=6) + attach(0x10) + create(0, 0, 4) + create(0, 8, 4) + fault(0, 0, True)
      + fault(0x10, 1, True) + fault(0, 2, True) + bytes([0, 7, 8, 3]) + fault(0, 2, True)
      + bytes([0, 6, 3, 3]) + detach(0))
write("mm", "external_and_copy",
      attach(0) + attach(2) + create(0, 0, 4, kind=2) + create(0, 8, 4, rights=4, kind=3)
      + fault(0, 0, False, pager_fails=0) + fault(0, 1, True, pager_fails=1) + fault(0, 8, False)
      + fault(0, 9, True) + duplicate(0, 2) + fault(2, 9, True) + bytes([0, 9]) + detach(0))


# ---- pipe: a ring size, pipe() or a FIFO, then steps (op, nonblocking, end, arguments) -------
# ops: 0 open end, 1 close end, 2 read, 3 write, 4 open the FIFO, 5 a parked client gives up,
# 6 a parked request is cancelled, 7 poll (arm a registration on an end that is not ready),
# 8 the wake loop only. Picks are a byte modulo the choices:
# nonblocking when its byte % 4 == 0, the read end when its byte is even.
def pipe_start(extra_ring=0, fifo=False):
    return struct.pack("<H", extra_ring) + bytes([1 if fifo else 0])


def p_read(n, nonblocking=False):
    return bytes([2, 0 if nonblocking else 1, 0, 1]) + struct.pack("<H", n - 1)


def p_write(n, nonblocking=False):
    small = n <= 4096
    return (bytes([3, 0 if nonblocking else 1, 0, 1 if small else 0]) + struct.pack("<H", n))


def p_open_fifo(read, nonblocking=False):
    return bytes([4, 0 if nonblocking else 1, 0 if read else 1])


def p_close(read):
    return bytes([1, 1, 0 if read else 1])


write("pipe", "atomic_writers_queue_behind_each_other",
      pipe_start() + p_write(4000) + p_write(100) + p_write(4096) + p_write(10)
      + p_read(1000) + p_read(3000) + p_read(7) + p_write(50, nonblocking=True) + p_read(9000))
write("pipe", "partial_writes_and_parked_readers",
      pipe_start(extra_ring=0x2000) + p_read(10) + p_read(20) + p_write(30000)
      + p_write(20000) + p_read(40000) + p_read(40000) + p_close(read=False) + p_read(5))
write("pipe", "fifo_rendezvous_and_give_up",
      pipe_start(fifo=True) + p_open_fifo(read=True) + p_open_fifo(read=False, nonblocking=True)
      + bytes([5, 1, 0, 0]) + p_open_fifo(read=False) + p_open_fifo(read=True)
      + p_write(100) + p_close(read=True) + p_write(10) + bytes([6, 1, 0, 0]))


def p_poll(thread, read_end, wants_in):
    return bytes([7, 1, 0 if read_end else 1, thread, 0 if wants_in else 1])


write("pipe", "poll_both_ends",
      pipe_start() + p_poll(0, True, True) + p_poll(1, False, True) + p_write(10)
      + p_write(4096) + p_write(4096) + p_write(3000) + p_poll(2, False, False) + p_read(5000)
      + p_poll(3, True, True) + p_close(read=False) + p_read(60000))


# ---- vfs_path: steps (op | caller << 5, then each path as shape, separators and components) --
VFS_FRAGMENTS = ["", ".", "..", "a", "b", "f", "l1", "loop", "la", "up", "abs", "dang", "mnt",
                 "d", "back", "c0", "c20", "c44", "secret", "x", "tmp", "new", "ro", "exec", "g",
                 "c3", "file", "mine"]


def v_path(*components, absolute=True, trailing=False):
    """A path of fragments by name; ("long", n) is a component repeated to make the path long,
    255 or 256 a name of that many bytes, ("nul", name) a name followed by a NUL byte."""
    out = bytes([(1 if absolute else 0) | ((len(components) - 1) << 1)
                 | (0x80 if trailing else 0)])
    for i, c in enumerate(components):
        if i:
            out += bytes([1])  # "/" ("//" when the byte is a multiple of 8)
        if c == 255:
            out += bytes([12])
        elif c == 256:
            out += bytes([13])
        elif isinstance(c, tuple) and c[0] == "long":
            unit = {"./": 0, "../": 0x10, "a/../": 0x20}[c[2]]
            out += bytes([14 | unit, c[1]])
        elif isinstance(c, tuple) and c[0] == "nul":
            out += bytes([0x10, VFS_FRAGMENTS.index(c[1])])
        else:
            out += bytes([0, VFS_FRAGMENTS.index(c)])
    return out


def v_op(op, caller=0):
    return bytes([op | (caller << 5)])


write("vfs_path", "dots_and_symlinks",
      v_op(2) + v_path("..", "..", "a", ".", "b", "f")
      + v_op(3) + v_path("l1", trailing=True)
      + v_op(2) + v_path("c0") + v_op(2) + v_path("c3", "b", "f")
      + v_op(2) + v_path("loop") + v_op(2) + v_path("la", "x")
      + v_op(7) + v_path("abs") + v_op(2) + v_path("mnt", "back", "b", "f")
      + v_op(12) + v_path("mnt", "..", "a") + bytes([3, 0, 1, 0, 1]))
write("vfs_path", "chdir_getcwd_through_the_mount",
      v_op(9) + v_path("mnt", "d") + v_op(11) + bytes([0]) + v_op(9) + v_path("..", "..", absolute=False)
      + v_op(9, 1) + v_path("a", "b", "g") + v_op(9, 1) + v_path("up", absolute=False)
      + v_op(9, 1) + v_path("secret") + v_op(9, 1) + v_path("exec")
      + v_op(0, 1) + bytes([0]) + v_path("file", absolute=False) + v_op(11, 1) + bytes([0]))
write("vfs_path", "long_names_and_paths",
      v_op(4) + v_path("tmp", 255) + v_op(4) + v_path("tmp", 256)
      + v_op(2) + v_path(("long", 255, "./"), "a") + v_op(2) + v_path(("long", 200, "a/../"), "a")
      + v_op(2) + v_path(("long", 100, "../"), "a", "b") + v_op(4) + v_path(("nul", "tmp"), "new"))
write("vfs_path", "names_change_under_open_files",
      v_op(0) + bytes([1]) + v_path("tmp", "new") + v_op(9) + v_path("a", "b")
      + v_op(6) + v_path("a", "b") + v_path("tmp", "mine") + v_op(11) + bytes([0])
      + v_op(6) + v_path("mnt", "d") + v_path("tmp", "d") + v_op(5) + v_path("tmp", "new")
      + v_op(14, 1) + v_path("tmp", "mine") + v_op(8, 2) + v_path("..", "..") + v_path("tmp", "x")
      + v_op(13) + bytes([1, 1]) + v_op(9, 1) + v_path("tmp", "x", trailing=True)
      + v_op(14) + v_path("mnt") + v_op(6) + v_path("mnt") + v_path("tmp", "new"))
