// Strong types for addresses: physical, virtual and frame numbers must never mix silently.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <type_traits>

namespace axo {

constexpr uint32_t kPageShift = 12;
constexpr uint32_t kPageSize = 1u << kPageShift;
constexpr uint32_t kSuperPageShift = 22;
constexpr uint32_t kSuperPageSize = 1u << kSuperPageShift; // 4 MiB (PSE, no PAE)
static_assert(kPageSize == 4096);
static_assert(kSuperPageSize == 4u * 1024 * 1024);

constexpr bool is_power_of_two(uint64_t value) {
    return value != 0 && (value & (value - 1)) == 0;
}

// For any unsigned integer type; `alignment` must be a power of two. The alignment argument
// takes the value's type so that mixing uint32_t and uint64_t is never ambiguous.
// align_up wraps to 0 if the result does not fit: use a 64-bit value where that can happen.
template <class T>
requires std::is_unsigned_v<T>
constexpr T align_down(T value, std::type_identity_t<T> alignment) {
    return value & ~(alignment - 1);
}
template <class T>
requires std::is_unsigned_v<T>
constexpr T align_up(T value, std::type_identity_t<T> alignment) {
    return (value + alignment - 1) & ~(alignment - 1);
}
template <class T>
requires std::is_unsigned_v<T>
constexpr bool is_aligned(T value, std::type_identity_t<T> alignment) {
    return (value & (alignment - 1)) == 0;
}

class Pfn;

// A physical address. Physical memory is below 4 GiB (no PAE), so 32 bits suffice.
class PhysAddr {
public:
    constexpr PhysAddr() = default;
    constexpr explicit PhysAddr(uint32_t raw) : m_raw(raw) {}

    constexpr uint32_t raw() const { return m_raw; }
    constexpr Pfn pfn() const;
    constexpr uint32_t page_offset() const { return m_raw & (kPageSize - 1); }
    constexpr bool is_page_aligned() const { return is_aligned(m_raw, kPageSize); }

    constexpr PhysAddr operator+(uint32_t offset) const { return PhysAddr(m_raw + offset); }
    constexpr PhysAddr operator-(uint32_t offset) const { return PhysAddr(m_raw - offset); }
    constexpr uint32_t operator-(PhysAddr other) const { return m_raw - other.m_raw; }

    constexpr bool operator==(const PhysAddr&) const = default;
    constexpr bool operator<(PhysAddr other) const { return m_raw < other.m_raw; }
    constexpr bool operator<=(PhysAddr other) const { return m_raw <= other.m_raw; }
    constexpr bool operator>(PhysAddr other) const { return m_raw > other.m_raw; }
    constexpr bool operator>=(PhysAddr other) const { return m_raw >= other.m_raw; }

private:
    uint32_t m_raw = 0;
};

class VirtAddr {
public:
    constexpr VirtAddr() = default;
    constexpr explicit VirtAddr(uint32_t raw) : m_raw(raw) {}

    constexpr uint32_t raw() const { return m_raw; }
    constexpr uint32_t page_offset() const { return m_raw & (kPageSize - 1); }
    constexpr bool is_page_aligned() const { return is_aligned(m_raw, kPageSize); }

    constexpr VirtAddr operator+(uint32_t offset) const { return VirtAddr(m_raw + offset); }
    constexpr VirtAddr operator-(uint32_t offset) const { return VirtAddr(m_raw - offset); }
    constexpr uint32_t operator-(VirtAddr other) const { return m_raw - other.m_raw; }

    constexpr bool operator==(const VirtAddr&) const = default;
    constexpr bool operator<(VirtAddr other) const { return m_raw < other.m_raw; }
    constexpr bool operator<=(VirtAddr other) const { return m_raw <= other.m_raw; }
    constexpr bool operator>(VirtAddr other) const { return m_raw > other.m_raw; }
    constexpr bool operator>=(VirtAddr other) const { return m_raw >= other.m_raw; }

private:
    uint32_t m_raw = 0;
};

// A physical page frame number: PhysAddr >> kPageShift.
class Pfn {
public:
    constexpr Pfn() = default;
    constexpr explicit Pfn(uint32_t raw) : m_raw(raw) {}

    constexpr uint32_t raw() const { return m_raw; }
    constexpr PhysAddr addr() const { return PhysAddr(m_raw << kPageShift); }

    constexpr Pfn operator+(uint32_t count) const { return Pfn(m_raw + count); }
    constexpr uint32_t operator-(Pfn other) const { return m_raw - other.m_raw; }

    constexpr bool operator==(const Pfn&) const = default;
    constexpr bool operator<(Pfn other) const { return m_raw < other.m_raw; }
    constexpr bool operator<=(Pfn other) const { return m_raw <= other.m_raw; }
    constexpr bool operator>(Pfn other) const { return m_raw > other.m_raw; }
    constexpr bool operator>=(Pfn other) const { return m_raw >= other.m_raw; }

private:
    uint32_t m_raw = 0;
};

constexpr Pfn PhysAddr::pfn() const {
    return Pfn(m_raw >> kPageShift);
}

constexpr PhysAddr align_down(PhysAddr addr, uint32_t alignment) {
    return PhysAddr(align_down(addr.raw(), alignment));
}
constexpr PhysAddr align_up(PhysAddr addr, uint32_t alignment) {
    return PhysAddr(align_up(addr.raw(), alignment));
}
constexpr bool is_aligned(PhysAddr addr, uint32_t alignment) {
    return is_aligned(addr.raw(), alignment);
}
constexpr VirtAddr align_down(VirtAddr addr, uint32_t alignment) {
    return VirtAddr(align_down(addr.raw(), alignment));
}
constexpr VirtAddr align_up(VirtAddr addr, uint32_t alignment) {
    return VirtAddr(align_up(addr.raw(), alignment));
}
constexpr bool is_aligned(VirtAddr addr, uint32_t alignment) {
    return is_aligned(addr.raw(), alignment);
}

static_assert(sizeof(PhysAddr) == 4 && alignof(PhysAddr) == 4);
static_assert(sizeof(VirtAddr) == 4 && alignof(VirtAddr) == 4);
static_assert(sizeof(Pfn) == 4 && alignof(Pfn) == 4);
static_assert(PhysAddr(0x12345678).pfn() == Pfn(0x12345));
static_assert(Pfn(0x12345).addr() == PhysAddr(0x12345000));
static_assert(align_up(0x1001u, kPageSize) == 0x2000u && align_down(0x1fffu, kPageSize) == 0x1000u);
static_assert(align_up(uint64_t{0xFFFFF001}, uint64_t{kPageSize}) == 0x100000000ull);

} // namespace axo
