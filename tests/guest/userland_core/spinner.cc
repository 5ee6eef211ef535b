// spinner [MS | sleep]: runs until killed, busy in user mode. With MS it spins for MS
// milliseconds and exits with 0 (an orphan that ends by itself); with `sleep` it blocks in
// the kernel instead of spinning (a process that costs no CPU, to fill proc's table).
#include "program.h"

int main() {
    loader::StartArguments args = program::arguments();
    int32_t ms = -1;
    if (args.argc > 1 && strcmp(args.argv[1], "sleep") == 0) {
        rt_park();
    }
    if (args.argc > 1) (void)program::parse_int(args.argv[1], ms);
    uint64_t end = rt_clock_us() + static_cast<uint64_t>(ms) * 1000;
    for (;;) {
        asm volatile("" ::: "memory");
        if (ms >= 0 && rt_clock_us() >= end) program::exit(0);
    }
}
