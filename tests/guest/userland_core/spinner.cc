// spinner [MS | sleep | name NAME]: runs until killed, busy in user mode. With MS it spins for
// MS milliseconds and exits with 0 (an orphan that ends by itself); with `sleep` it blocks in
// the kernel instead of spinning (a process that costs no CPU, to fill proc's table); with
// `name NAME` it registers NAME for its thread with proc's name service (lib/names), then
// blocks: a named server, to be killed (if the registration fails it exits with 1).
// (A mode of spinner rather than a program of its own: boot modules are few.)
#include "lib/names/names.h"
#include "program.h"

int main() {
    loader::StartArguments args = program::arguments();
    int32_t ms = -1;
    if (args.argc > 1 && strcmp(args.argv[1], "sleep") == 0) {
        rt_park();
    }
    if (args.argc > 2 && strcmp(args.argv[1], "name") == 0) {
        ipc::Error error = names::register_name(args.argv[2]);
        if (error != ipc::Error::ok) {
            rt_printf("spinner: registering \"%s\" failed: %s\n", args.argv[2],
                      ipc::error_name(error));
            program::exit(1);
        }
        rt_park();
    }
    if (args.argc > 1) (void)program::parse_int(args.argv[1], ms);
    uint64_t end = rt_clock_us() + static_cast<uint64_t>(ms) * 1000;
    for (;;) {
        asm volatile("" ::: "memory");
        if (ms >= 0 && rt_clock_us() >= end) program::exit(0);
    }
}
