// What a new process's memory holds, page by page, before it runs: the pure part of lib/loader
// (no system calls), so that it is tested on the host (tests/unit/loader_layout_test.cc).
//
//   plan_page    may the process have this page at all, and writable?
//   fill_page    the bytes of a page: the ELF file's bytes where segments have them, zero
//                elsewhere (.bss, the stack), the start block in the stack's top pages
//   StartBlock   the program's arguments at the top of its stack, where the System V i386
//                ABI puts them (libposix/crt0.S reads them so; freestanding programs read them with
//                start_arguments):
//
//                  esp ->  argc
//                          argv[0] .. argv[argc - 1]   pointers into the strings below
//                          0                           end of argv
//                          envp[0] .. envp[envc - 1]   likewise ("NAME=value")
//                          0                           end of envp
//                          0, 0                        the auxiliary vector: AT_NULL alone
//                          the strings, NUL-terminated, then padding to the stack top
//
//                esp is 16-byte aligned, as gcc's i386 code expects at a call.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/elf.h"

namespace loader {

constexpr uint32_t kPageSize = 4096;

constexpr uint32_t page_of(uint32_t address) {
    return address & ~(kPageSize - 1);
}

// The stack of a process: [low, top), page-aligned; top is also where the start block ends.
struct StackArea {
    uint32_t low, top;
    bool contains(uint32_t page) const { return page >= low && page < top; }
};

struct PagePlan {
    bool known;    // inside a segment or the stack: the process may have it
    bool writable; // some segment on it is writable, or it is stack
};

// Pages shared by two segments (a linker script may pack them) get the union of their rights:
// the Pentium cannot map one page with two.
PagePlan plan_page(const axo::elf::Image& elf, StackArea stack, uint32_t page);

// Strings handed over as one block (a spawn's or exec's arguments and environment): `argc`
// arguments, then `envc` environment entries ("NAME=value"), each NUL-terminated, back to back
// in `size` bytes.
struct StringBlock {
    const char* bytes = nullptr;
    uint32_t size = 0;
    uint32_t argc = 0;
    uint32_t envc = 0;
};

// Whether `block` is exactly what it says: argc + envc strings, each terminated inside `size`,
// nothing after the last terminator. Reads `size` bytes and nothing beyond.
bool valid_strings(const StringBlock& block);

// Arguments as the process sees them at start. Up to kBytes it is built in the object itself;
// a larger one needs storage of the caller's (set_storage), which must outlive the block.
class StartBlock {
public:
    static constexpr uint32_t kBytes = 1024;
    static constexpr uint32_t kMaxArguments = 64; // per array of build's first form

    // Where build lays the block out (its end is the storage's end): `capacity` bytes, 16-byte
    // aligned. nullptr: the object's own kBytes.
    void set_storage(uint8_t* storage, uint32_t capacity);
    uint32_t capacity() const { return m_storage != nullptr ? m_capacity : kBytes; }
    uint8_t* storage() const { return m_storage; }

    // Lays out `argv` and `envp` for a stack ending at `stack_top`. False (and the block
    // empty) if they do not fit in capacity() or either has more than kMaxArguments.
    bool build(const char* const* argv, uint32_t argc, uint32_t stack_top,
               const char* const* envp = nullptr, uint32_t envc = 0);
    // argv, then the arguments of `more`; then the environment of `more` (valid_strings must
    // hold for it). False (and the block empty) if it does not fit in capacity().
    bool build(const char* const* argv, uint32_t argc, uint32_t stack_top, const StringBlock& more);

    uint32_t size() const { return m_size; }
    // The initial esp: stack_top - size().
    uint32_t stack_pointer() const { return m_top - m_size; }
    // The block's first byte (size() bytes).
    const uint8_t* bytes() const { return base() + (capacity() - m_size); }

private:
    template <class Each> bool lay_out(uint32_t argc, uint32_t envc, uint32_t stack_top, Each each);
    uint8_t* base() { return m_storage != nullptr ? m_storage : m_inline; }
    const uint8_t* base() const { return m_storage != nullptr ? m_storage : m_inline; }

    alignas(16) uint8_t m_inline[kBytes] = {};
    uint8_t* m_storage = nullptr;
    uint32_t m_capacity = 0;
    uint32_t m_size = 0;
    uint32_t m_top = 0;
};

// Writes page `page` of the process into `out` (kPageSize bytes): the file bytes of every
// segment that has some on this page, the part of `start` that lies on it, zero elsewhere.
// The start block may span several pages.
// `image` is the ELF file, already validated (axo::elf::parse) into `elf`.
void fill_page(const axo::elf::Image& elf, const uint8_t* image, const StartBlock& start,
               uint32_t page, uint8_t* out);

// The reader's side, in the new process: argc and argv from the initial esp (for freestanding
// programs, rt_entry_state.esp). Trusts the block: it is the process's own memory, written
// by its loader.
struct StartArguments {
    uint32_t argc;
    const char* const* argv;
};
inline StartArguments start_arguments(uint32_t initial_esp) {
    const uint32_t* words = reinterpret_cast<const uint32_t*>(static_cast<uintptr_t>(initial_esp));
    return {words[0], reinterpret_cast<const char* const*>(words + 1)};
}

} // namespace loader
