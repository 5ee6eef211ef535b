// lib/text/number.h against an independent reading with std::from_chars: both accept the
// same texts and agree on their values.
#include <charconv>
#include <string.h>

#include "lib/text/number.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

bool reference(const char* text, size_t length, uint32_t& out) {
    int base = 10;
    const char* begin = text;
    const char* end = text + length;
    if (length > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        begin += 2;
    }
    if (begin == end) return false;
    // from_chars takes no sign for unsigned types, but be explicit.
    if (*begin == '+' || *begin == '-') return false;
    uint64_t value = 0;
    auto [ptr, error] = std::from_chars(begin, end, value, base);
    if (error != std::errc() || ptr != end || value > 0xFFFFFFFFu) return false;
    out = static_cast<uint32_t>(value);
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const char* text = reinterpret_cast<const char*>(data);
    uint32_t got = 0x5A5A5A5A, want = 0xA5A5A5A5;
    bool ok = text::parse_u32(text, size, got);
    bool expected = reference(text, size, want);
    FUZZ_CHECK(ok == expected);
    if (ok)
        FUZZ_CHECK(got == want);
    else
        FUZZ_CHECK(got == 0x5A5A5A5A); // untouched on failure
    return 0;
}
