// The 128 KiB of arguments and environment that the driver and worker agree on (README.md,
// "Arguments and environment"): the word `arguments` (worker's mode), then kArguments
// arguments and kEnvironment environment strings ("E007=..."), exactly
// proc::kMaxArgumentBytes with every terminator — ARG_MAX, to the byte.
#pragma once

#include <stdint.h>

#include "interfaces/process/client.h"

namespace arguments {

constexpr uint32_t kArguments = 64;
constexpr uint32_t kEnvironment = 64;
constexpr uint32_t kStrings = kArguments + kEnvironment;
constexpr char kMode[] = "arguments";
constexpr uint32_t kLongest = 1140;

// Characters of pattern string i (0..kStrings), without its terminator.
constexpr uint32_t length(uint32_t i) {
    return i + 1 == kStrings ? proc::kMaxArgumentBytes - sizeof kMode - (kStrings - 1) * 1023 - 1
                             : 1022;
}
static_assert(length(kStrings - 1) == kLongest);

// Byte `at` of pattern string i: environment strings start with "E<3 digits>=", the rest
// varies with i and the position, so that a byte in the wrong place shows.
inline char byte(uint32_t i, uint32_t at) {
    if (i >= kArguments && at < 5) {
        uint32_t n = i - kArguments;
        const char prefix[5] = {'E', char('0' + n / 100), char('0' + n / 10 % 10),
                                char('0' + n % 10), '='};
        return prefix[at];
    }
    return char('a' + (i * 7 + at) % 26);
}

// The whole pattern into `block` (cleared first); false if it would not take it.
inline bool fill(proc::client::ArgumentBlock& block) {
    static char text[kLongest + 1];
    block.clear();
    if (!block.add_argument(kMode)) return false;
    for (uint32_t i = 0; i < kStrings; ++i) {
        for (uint32_t at = 0; at < length(i); ++at)
            text[at] = byte(i, at);
        text[length(i)] = '\0';
        if (!(i < kArguments ? block.add_argument(text) : block.add_environment(text)))
            return false;
    }
    return true;
}

// 0 if `argv` (after the program's name and mode) and `envp` are the pattern, else the
// 1-based index of the first string that is not (kStrings + 1: wrong counts).
inline uint32_t check(uint32_t argc, const char* const* argv, const char* const* envp) {
    if (argc != 2 + kArguments) return kStrings + 1;
    for (uint32_t i = 0; i < kStrings; ++i) {
        const char* s = i < kArguments ? argv[2 + i] : envp[i - kArguments];
        if (s == nullptr) return i + 1;
        for (uint32_t at = 0; at < length(i); ++at)
            if (s[at] != byte(i, at)) return i + 1;
        if (s[length(i)] != '\0') return i + 1;
    }
    return argv[argc] == nullptr && envp[kEnvironment] == nullptr ? 0 : kStrings + 1;
}

} // namespace arguments
