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
    console, // the stream server registered as "console" (looked up at first use)
    stream,  // another server of interfaces/stream
    file,    // fs (interfaces/file): `handle` is fs's, one per descriptor (dup asks fs for another)
};

struct Descriptor {
    DescriptorKind kind = DescriptorKind::closed;
    bool close_on_exec = false;
    axo_thread_id_t server = AXO_NIL_THREAD;
    uint32_t handle = 0;
    // A pipe, FIFO or device of fs: a read returns what one request to fs gives (it must not
    // wait for more after a full first step, as a regular file's read may).
    bool object = false;

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

private:
    Descriptor m_entries[kSize];
};

} // namespace posix
