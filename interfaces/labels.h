/* The label table: every interface owns one range of request labels, allocated here and
 * nowhere else, so that a request sent to the wrong server can never be taken for another
 * operation (README.md "Labels"). A server answers a label of a range it does not serve with
 * AXO_RPC_EWRONGIF (ipc::Error::wrong_interface), one of its own range without a handler with
 * AXO_RPC_EBADOP. Usable from C and C++; the ranges are part of the wire format.
 *
 * To add an interface: take the next free range, add its line, and static_assert in its
 * protocol header that its labels lie in it (labels::all_in). */
#ifndef AXO_INTERFACES_LABELS_H
#define AXO_INTERFACES_LABELS_H

#include <stdint.h>

/*  X(name,    first,   last) — inclusive; every range below the kernel's labels (0xFFD0) */
#define AXO_LABEL_RANGES(X)                                                                        \
    X(NAMES, 0x0100, 0x01FF)   /* names: the name service (proc) */                                \
    X(PROCESS, 0x0200, 0x02FF) /* process: spawn, exit, wait, kill, fork (proc) */                 \
    X(DEVICES, 0x0300, 0x03FF) /* devices: grants, DMA, PCI reports (proc) */                      \
    X(STREAM, 0x0400, 0x04FF)  /* stream: bytes in and out (serial, console) */                    \
    X(SERIAL, 0x0500, 0x05FF)  /* serial: the UART driver's own requests */                        \
    X(PCI, 0x0600, 0x06FF)     /* pci: look-ups of the PCI bus driver */                           \
    X(MM, 0x0700, 0x07FF)      /* mm: clients, regions, faults, external pagers */                 \
    X(NIC, 0x0800, 0x08FF)     /* nic: raw Ethernet frames (e1000) */                              \
    X(BLOCK, 0x0900, 0x09FF)   /* block: sectors of a disk (ata) */                                \
    X(CONSOLE, 0x0A00, 0x0AFF) /* console: the VGA console's own requests */                       \
    X(FILE, 0x0B00, 0x0BFF)    /* file: the file tree (fs) */                                      \
    X(TTY, 0x0C00, 0x0CFF)     /* tty: terminal settings, job control (tty) */                     \
    X(SIGMA0, 0x5100, 0x51FF)  /* sigma0: physical memory and I/O ports */                         \
    X(TEST, 0x7000, 0x7FFF)    /* protocols of tests only (host and guest) */

enum axo_label_range {
#define AXO_LABEL_RANGE_BOUNDS(name, first, last)                                                  \
    AXO_LABELS_##name##_FIRST = first, AXO_LABELS_##name##_LAST = last,
    AXO_LABEL_RANGES(AXO_LABEL_RANGE_BOUNDS)
#undef AXO_LABEL_RANGE_BOUNDS
};

#ifdef __cplusplus

namespace labels {

struct Range {
    uint32_t first, last; // inclusive
    const char* name;
};

inline constexpr Range kRanges[] = {
#define AXO_LABEL_RANGE_ENTRY(name, first, last) {first, last, #name},
    AXO_LABEL_RANGES(AXO_LABEL_RANGE_ENTRY)
#undef AXO_LABEL_RANGE_ENTRY
};

// The kernel's own protocols (exceptions, page faults, interrupts) start here
// (AXO_LABEL_EXCEPTION, kernel/uapi/axolotl/abi.h).
inline constexpr uint32_t kKernelLabels = 0xFFD0u;

constexpr bool contains(const Range& range, uint32_t label) {
    return label >= range.first && label <= range.last;
}

// The range `label` belongs to, or nullptr (no interface owns it).
constexpr const Range* range_of(uint32_t label) {
    for (const Range& range : kRanges)
        if (contains(range, label)) return &range;
    return nullptr;
}

// Whether some interface owns `label` (for static_asserts: a bool, not a pointer).
constexpr bool is_allocated(uint32_t label) {
    for (const Range& range : kRanges)
        if (contains(range, label)) return true;
    return false;
}

constexpr bool ranges_are_disjoint() {
    for (const Range& a : kRanges) {
        if (a.first > a.last || a.last >= kKernelLabels) return false;
        for (const Range& b : kRanges)
            if (&a != &b && a.first <= b.last && b.first <= a.last) return false;
    }
    return true;
}
static_assert(ranges_are_disjoint(), "label ranges overlap, or reach the kernel's labels");

// For a protocol header: static_assert(labels::all_in(AXO_LABELS_FOO_FIRST, ..., {kFooGet}));
template <class Label, uint32_t N>
constexpr bool all_in(uint32_t first, uint32_t last, const Label (&list)[N]) {
    for (uint32_t i = 0; i < N; ++i) {
        uint32_t label = static_cast<uint32_t>(list[i]);
        if (label < first || label > last) return false;
        for (uint32_t j = i + 1; j < N; ++j)
            if (static_cast<uint32_t>(list[j]) == label) return false;
    }
    return true;
}

} // namespace labels

#endif /* __cplusplus */

#endif /* AXO_INTERFACES_LABELS_H */
