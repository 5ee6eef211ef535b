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

bool valid_strings(const StringBlock& block) {
    uint64_t strings = uint64_t{block.argc} + block.envc;
    if (block.size == 0) return strings == 0;
    if (block.bytes == nullptr || block.bytes[block.size - 1] != '\0') return false;
    uint64_t terminators = 0;
    for (uint32_t i = 0; i < block.size; ++i)
        terminators += block.bytes[i] == '\0';
    return terminators == strings;
}

void StartBlock::set_storage(uint8_t* storage, uint32_t capacity) {
    m_storage = storage;
    m_capacity = storage != nullptr ? capacity & ~15u : 0;
    m_size = 0;
}

// `each(visit)` calls visit(text, length) for the argc arguments, then the envc environment
// strings, in order; it is called twice (measure, then write).
template <class Each>
bool StartBlock::lay_out(uint32_t argc, uint32_t envc, uint32_t stack_top, Each each) {
    m_size = 0;
    m_top = stack_top;
    uint32_t capacity = this->capacity();
    // Words: argc, argv[argc], its terminator, envp[envc], its terminator, the auxiliary
    // vector's AT_NULL pair.
    uint64_t words = uint64_t{1} + argc + 1 + envc + 1 + 2;
    uint64_t strings = 0;
    each([&](const char*, uint32_t n) { strings += uint64_t{n} + 1; });
    uint64_t size = (words * 4 + strings + 15) & ~uint64_t{15};
    if (size > capacity) return false;

    // Built at the end of the storage, so that its last byte is the stack's last.
    uint8_t* block = base() + (capacity - static_cast<uint32_t>(size));
    __builtin_memset(base(), 0, capacity);
    uint32_t at = stack_top - static_cast<uint32_t>(size); // the block's address in the process
    uint32_t string_at = static_cast<uint32_t>(words) * 4;
    put_word(block, argc);
    uint32_t i = 0;
    each([&](const char* text, uint32_t n) {
        // argv[i] at word 1 + i; envp[j] at word 1 + argc + 1 + j (after argv's terminator).
        uint32_t word = i < argc ? 1 + i : 2 + i;
        put_word(block + 4 * word, at + string_at);
        copy_bytes(block + string_at, reinterpret_cast<const uint8_t*>(text), n + 1);
        string_at += n + 1;
        ++i;
    });
    m_size = static_cast<uint32_t>(size);
    return true;
}

bool StartBlock::build(const char* const* argv, uint32_t argc, uint32_t stack_top,
                       const char* const* envp, uint32_t envc) {
    m_size = 0;
    if (argc > kMaxArguments || envc > kMaxArguments) return false;
    // Lengths are bounded by the capacity: a string longer than that cannot fit anyway.
    uint32_t limit = capacity();
    for (uint32_t i = 0; i < argc + envc; ++i) {
        const char* text = i < argc ? argv[i] : envp[i - argc];
        uint32_t n = 0;
        while (text[n] != '\0')
            if (++n >= limit) return false;
    }
    return lay_out(argc, envc, stack_top, [&](auto visit) {
        for (uint32_t i = 0; i < argc + envc; ++i) {
            const char* text = i < argc ? argv[i] : envp[i - argc];
            uint32_t n = 0;
            while (text[n] != '\0')
                ++n;
            visit(text, n);
        }
    });
}

bool StartBlock::build(const char* const* argv, uint32_t argc, uint32_t stack_top,
                       const StringBlock& more) {
    m_size = 0;
    if (!valid_strings(more)) return false;
    if (argc > kMaxArguments) return false;
    uint32_t limit = capacity();
    for (uint32_t i = 0; i < argc; ++i) {
        uint32_t n = 0;
        while (argv[i][n] != '\0')
            if (++n >= limit) return false;
    }
    uint64_t total_argc = uint64_t{argc} + more.argc;
    // Every string takes at least a terminator and a pointer: a count beyond the capacity
    // cannot fit (and the word arithmetic stays in range).
    if (total_argc + more.envc > limit) return false;
    return lay_out(static_cast<uint32_t>(total_argc), more.envc, stack_top, [&](auto visit) {
        for (uint32_t i = 0; i < argc; ++i) {
            uint32_t n = 0;
            while (argv[i][n] != '\0')
                ++n;
            visit(argv[i], n);
        }
        // valid_strings: every string of `more` ends inside it.
        const char* text = more.bytes;
        for (uint32_t i = 0; i < more.argc + more.envc; ++i) {
            uint32_t n = 0;
            while (text[n] != '\0')
                ++n;
            visit(text, n);
            text += n + 1;
        }
    });
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
    copy_bytes(out + (from - page), start.bytes() + (from - block_begin), to - from);
}

} // namespace loader
