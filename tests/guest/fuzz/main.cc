// fuzz_syscalls: the system-call fuzzer of the fuzz-syscalls test (README.md). One program with
// three roles, chosen by its first argument:
//   fuzz_syscalls [seed=N] [calls=N] [attacks=N]   the fuzzer (proc starts it at boot)
//   fuzz_syscalls canary                           a canary (the fuzzer spawns it)
//   fuzz_syscalls attack SEED                      an isolation attack that must fault
#include "fuzz.h"

extern "C" char __init_array_start[];

namespace fuzz {

uint32_t code_checksum() {
    // Text and read-only data: from the link base (lib/rt/program.ld) to the constructors.
    const auto* word = reinterpret_cast<const uint32_t*>(0x00400000u);
    const auto* end = reinterpret_cast<const uint32_t*>(__init_array_start);
    uint32_t sum = 0;
    for (; word < end; ++word)
        sum = (sum << 5 | sum >> 27) ^ *word;
    return sum;
}

} // namespace fuzz

int main() {
    // A spawned child's argv holds the fuzzer's configured arguments (seed=, calls=) before
    // the words of the spawn: look for the role among all of them.
    loader::StartArguments args = fuzz::arguments();
    for (uint32_t i = 1; i < args.argc; ++i) {
        if (strcmp(args.argv[i], "canary") == 0) fuzz::run_canary();
        if (strcmp(args.argv[i], "attack") == 0) {
            uint32_t seed = 0;
            if (i + 1 >= args.argc || !fuzz::parse_number(args.argv[i + 1], seed)) fuzz::exit(100);
            fuzz::run_attack(seed);
        }
    }
    fuzz::run_syscall_fuzzer();
}
