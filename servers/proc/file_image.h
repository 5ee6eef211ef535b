// Program files (interfaces/process/protocol.h, kProcExecFile): the image of a file fs pages is
// described by the headers its caller sent, never read from the file by proc. This checks them —
// with kernel/elf's parser, as strictly as a boot module, and what mapping a file's pages
// directly needs besides — and says which regions the new image gets. Pure: tested on the host
// (tests/unit/proc_file_image_test.cc); paging.cc makes the regions in mm.
#pragma once

#include <stdint.h>

#include "kernel/elf.h"
#include "lib/ipc/error.h"

namespace proc {

struct FileImage {
    uint32_t object = 0;    // mm's id of the file's object
    uint32_t file_size = 0; // bytes
    axo::elf::Image elf{};
};

// One region of a file's image: [address, address + size), page-aligned, either pages of the
// object from `offset` (file) or anonymous zero-fill memory.
struct FileRegion {
    uint32_t address;
    uint32_t size;
    uint32_t offset;
    bool file;     // a copy of the object's pages; else anonymous
    bool writable; // R W X; else R X
};
constexpr uint32_t kMaxFileRegions = 2 * axo::elf::kMaxSegments;
// At most this many of them (mm's 32 regions per client, less the stack's two and the heap).
constexpr uint32_t kMaxImageRegions = 24;

// `headers` (header_bytes of them, the file's first bytes) describe a file of file_size bytes:
// ok and `out`, or not_executable with a reason in *why (static text). `limit`: the segments
// must end at or below it (the stack's low end). Refused beyond the ELF parser's reasons:
// header_bytes above the file, the program headers outside the bytes sent, two segments on
// one page (a file's page is one region: the Pentium cannot map one page with two rights), more
// than kMaxImageRegions regions.
ipc::Error parse_file_image(const uint8_t* headers, uint32_t header_bytes, uint32_t file_size,
                            uint32_t limit, FileImage& out, const char** why);

// The regions of a parsed image, in address order: for each segment its file pages (if it has
// file bytes) and the anonymous rest of its memory. Returns how many (at most kMaxFileRegions).
uint32_t file_regions(const FileImage& image, FileRegion (&out)[kMaxFileRegions]);

} // namespace proc
