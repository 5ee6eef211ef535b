#include "lib/loader/layout.h"

namespace loader {

namespace {

// Overflow-safe: segments end at or below the user limit (elf::parse checked vaddr + memsz).
bool overlaps_page(uint32_t begin, uint32_t end, uint32_t page) {
    return begin < page + kPageSize && end > page;
}

// The C library's on the host, lib/rt's (kernel/lib/string.cc) on the target: word copies,
// which a page fault's page copy wants.
void copy_bytes(uint8_t* to, const uint8_t* from, uint32_t n) {
    __builtin_memcpy(to, from, n);
}

void put_word(uint8_t* at, uint32_t value) {
    for (int i = 0; i < 4; ++i)
        at[i] = static_cast<uint8_t>(value >> (8 * i));
}

} // namespace

PagePlan plan_page(const axo::elf::Image& elf, StackArea stack, uint32_t page) {
    PagePlan plan{stack.contains(page), stack.contains(page)};
    for (size_t i = 0; i < elf.segment_count; ++i) {
        const axo::elf::Segment& s = elf.segments[i];
        if (!overlaps_page(s.vaddr, s.vaddr + s.memsz, page)) continue;
        plan.known = true;
        plan.writable |= s.writable;
    }
    return plan;
}

bool StartBlock::build(const char* const* argv, uint32_t argc, uint32_t stack_top,
                       const char* const* envp, uint32_t envc) {
    m_size = 0;
    m_top = stack_top;
    if (argc > kMaxArguments || envc > kMaxArguments) return false;
    // Words: argc, argv[argc], its terminator, envp[envc], its terminator, the auxiliary
    // vector's AT_NULL pair.
    uint32_t words = 1 + argc + 1 + envc + 1 + 2;
    uint32_t strings = 0;
    for (uint32_t i = 0; i < argc + envc; ++i) {
        const char* text = i < argc ? argv[i] : envp[i - argc];
        uint32_t n = 0;
        while (text[n] != '\0') {
            if (++n > kBytes) return false;
        }
        strings += n + 1;
        if (strings > kBytes) return false;
    }
    uint32_t size = (words * 4 + strings + 15) & ~15u;
    if (size > kBytes) return false;

    // Built at the end of m_bytes, so that its last byte is the stack's last.
    uint8_t* block = m_bytes + (kBytes - size);
    __builtin_memset(m_bytes, 0, kBytes);
    uint32_t base = stack_top - size; // the block's address in the process
    uint32_t string_at = words * 4;
    put_word(block, argc);
    for (uint32_t i = 0; i < argc + envc; ++i) {
        // argv[i] at word 1 + i; envp[j] at word 1 + argc + 1 + j (after argv's terminator).
        uint32_t word = i < argc ? 1 + i : 2 + i;
        const char* text = i < argc ? argv[i] : envp[i - argc];
        put_word(block + 4 * word, base + string_at);
        uint32_t n = 0;
        while (text[n] != '\0')
            ++n;
        copy_bytes(block + string_at, reinterpret_cast<const uint8_t*>(text), n + 1);
        string_at += n + 1;
    }
    m_size = size;
    return true;
}

void fill_page(const axo::elf::Image& elf, const uint8_t* image, const StartBlock& start,
               uint32_t page, uint8_t* out) {
    __builtin_memset(out, 0, kPageSize);
    for (size_t i = 0; i < elf.segment_count; ++i) {
        const axo::elf::Segment& s = elf.segments[i];
        uint32_t file_end = s.vaddr + s.filesz;
        uint32_t from = page > s.vaddr ? page : s.vaddr;
        uint32_t to = page + kPageSize < file_end ? page + kPageSize : file_end;
        if (from < to)
            copy_bytes(out + (from - page), image + s.offset + (from - s.vaddr), to - from);
    }
    if (start.size() == 0) return;
    uint32_t block_begin = start.stack_pointer(), block_end = block_begin + start.size();
    if (!overlaps_page(block_begin, block_end, page)) return;
    uint32_t from = page > block_begin ? page : block_begin;
    uint32_t to = page + kPageSize < block_end ? page + kPageSize : block_end;
    const uint8_t* bytes = start.bytes() + (StartBlock::kBytes - start.size());
    copy_bytes(out + (from - page), bytes + (from - block_begin), to - from);
}

} // namespace loader
