// The descriptor table of a process (DESIGN.md §6): each open descriptor names the server that
// owns the open object and the server's handle for it, plus close-on-exec. The table lives in
// the process (inherited by fork's copy, its close-on-exec entries dropped by exec); the object
// and its offset live in the server. 0, 1 and 2 are the console (interfaces/stream); open()
// installs entries of kind `file` naming fs and its handle (descriptors.cc, files.cc).
// Pure: host-tested (tests/unit/posix_descriptor_table_test.cc).
#pragma once

#include <stdint.h>

#include "axolotl/abi.h"

namespace posix {

enum class DescriptorKind : uint8_t {
    closed,
    console, // a terminal's stream server (looked up at first use): `handle` is the terminal's
             // number, 0 the system console ("console"), 1 the VGA one ("tty1"; file_modes.h)
    stream,  // another server of interfaces/stream
    file,    // fs (interfaces/file): `handle` is fs's, one per descriptor (dup asks fs for another)
};

struct Descriptor {
    DescriptorKind kind = DescriptorKind::closed;
    bool close_on_exec = false;
    axo_thread_id_t server = AXO_NIL_THREAD;
    uint32_t handle = 0;
    // A pipe or FIFO of fs: a read returns what one request to fs gives (it must not wait for
    // more after a full first step, as POSIX lets a pipe's read return what is there). Regular
    // files and the devices fs serves (/dev/zero, /dev/random, a disk) move the whole count,
    // one session buffer per request, until a short step (the end of the file).
    bool fifo = false;

    bool open() const { return kind != DescriptorKind::closed; }
};

class DescriptorTable {
public:
    static constexpr int kSize = 64; // OPEN_MAX

    // 0, 1 and 2 on the console.
    void open_standard() {
        for (int fd = 0; fd < 3; ++fd)
            m_entries[fd] = Descriptor{DescriptorKind::console, false, AXO_NIL_THREAD, 0};
    }

    // The entry of `fd`, or nullptr if it is out of range or closed (EBADF).
    Descriptor* get(int fd) {
        if (fd < 0 || fd >= kSize || !m_entries[fd].open()) return nullptr;
        return &m_entries[fd];
    }

    // The lowest closed descriptor >= `from` now holds `entry`; -1 if none is (EMFILE).
    int install(const Descriptor& entry, int from = 0) {
        for (int fd = from < 0 ? 0 : from; fd < kSize; ++fd) {
            if (m_entries[fd].open()) continue;
            m_entries[fd] = entry;
            return fd;
        }
        return -1;
    }

    // dup / F_DUPFD: a copy of `fd`'s entry at the lowest free >= from, without close-on-exec.
    // -1: fd not open (EBADF) ; -2: no free descriptor (EMFILE).
    int duplicate(int fd, int from = 0) {
        const Descriptor* entry = get(fd);
        if (entry == nullptr) return -1;
        Descriptor copy = *entry;
        copy.close_on_exec = false;
        int result = install(copy, from);
        return result < 0 ? -2 : result;
    }

    // dup2: `target` becomes a copy of `fd` (whatever it held is closed: `replaced` says what,
    // for the caller to release at its server). -1: fd not open or target out of range.
    int duplicate_to(int fd, int target, Descriptor* replaced = nullptr) {
        const Descriptor* entry = get(fd);
        if (entry == nullptr || target < 0 || target >= kSize) return -1;
        if (fd == target) return target;
        if (replaced != nullptr) *replaced = m_entries[target];
        m_entries[target] = *entry;
        m_entries[target].close_on_exec = false;
        return target;
    }

    // close: the entry it held (for the caller to release at its server); closed if none.
    Descriptor close(int fd) {
        Descriptor* entry = get(fd);
        if (entry == nullptr) return Descriptor{};
        Descriptor old = *entry;
        *entry = Descriptor{};
        return old;
    }

    // What exec keeps: every entry without close-on-exec.
    void close_on_exec() {
        for (Descriptor& entry : m_entries)
            if (entry.close_on_exec) entry = Descriptor{};
    }

    // ---- Across exec ---------------------------------------------------------------------
    // The table lives in the process, so exec carries it to the new program as one string
    // (kInheritPrefix then `fd:kind handle,` per open entry; kinds c console, f file, o a file
    // of kind object, s stream with `server.handle`), appended to the environment by execve and
    // taken out of it again at the new program's start, before main (MSVCRT hands its
    // inherited handle table over the same way, in a reserved start-up block). Servers keep
    // their handles across exec (fs learns of the exec from proc's events).
    static constexpr const char* kInheritPrefix = "AXO_DESCRIPTORS=";
    static constexpr uint32_t kInheritMax = 16 + kSize * 32;

    // The string for the open entries (close-on-exec ones should be gone already); false if
    // `size` is too small.
    bool encode(char* out, uint32_t size) const {
        uint32_t at = 0;
        auto put = [&](char c) {
            if (at + 1 >= size) return false;
            out[at++] = c;
            return true;
        };
        auto number = [&](uint32_t value, uint32_t base) {
            char digits[12];
            int n = 0;
            do {
                uint32_t d = value % base;
                digits[n++] = static_cast<char>(d < 10 ? '0' + d : 'a' + d - 10);
                value /= base;
            } while (value != 0);
            while (n > 0)
                if (!put(digits[--n])) return false;
            return true;
        };
        for (const char* p = kInheritPrefix; *p != 0; ++p)
            if (!put(*p)) return false;
        for (int fd = 0; fd < kSize; ++fd) {
            const Descriptor& e = m_entries[fd];
            if (!e.open()) continue;
            char kind = e.kind == DescriptorKind::console  ? 'c'
                        : e.kind == DescriptorKind::stream ? 's'
                        : e.fifo                           ? 'o'
                                                           : 'f';
            if (!number(static_cast<uint32_t>(fd), 10) || !put(':') || !put(kind)) return false;
            if (e.kind == DescriptorKind::stream && (!number(e.server, 16) || !put('.')))
                return false;
            if (!number(e.handle, 16) || !put(',')) return false;
        }
        out[at] = 0;
        return true;
    }

    // The table from encode()'s string (after the prefix); false (the table unchanged) if it is
    // malformed: a start-up then keeps the standard table.
    bool decode(const char* text) {
        Descriptor entries[kSize] = {};
        const char* p = text;
        auto number = [&](uint32_t base, uint32_t& value) {
            value = 0;
            int digits = 0;
            for (;; ++p, ++digits) {
                char c = *p;
                uint32_t d = c >= '0' && c <= '9'   ? static_cast<uint32_t>(c - '0')
                             : c >= 'a' && c <= 'f' ? static_cast<uint32_t>(c - 'a' + 10)
                                                    : base;
                if (d >= base) break;
                if (digits >= 8 || (base == 10 && value > 9999)) return false;
                value = value * base + d;
            }
            return digits > 0;
        };
        while (*p != 0) {
            uint32_t fd = 0, server = 0, handle = 0;
            if (!number(10, fd) || fd >= kSize || *p++ != ':') return false;
            char kind = *p++;
            Descriptor e;
            switch (kind) {
            case 'c':
                e.kind = DescriptorKind::console;
                break;
            case 'f':
                e.kind = DescriptorKind::file;
                break;
            case 'o':
                e.kind = DescriptorKind::file;
                e.fifo = true;
                break;
            case 's':
                e.kind = DescriptorKind::stream;
                break;
            default:
                return false;
            }
            if (kind == 's') {
                if (!number(16, server) || *p++ != '.') return false;
                e.server = server;
            }
            if (!number(16, handle) || *p++ != ',') return false;
            e.handle = handle;
            if (entries[fd].open()) return false;
            entries[fd] = e;
        }
        for (int fd = 0; fd < kSize; ++fd)
            m_entries[fd] = entries[fd];
        return true;
    }

private:
    Descriptor m_entries[kSize];
};

} // namespace posix
