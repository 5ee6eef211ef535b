// small_reader HOW ADDRESS: a large program that tries to read a byte at linear ADDRESS in the
// small-space area (docs/kernel-api.md §14), where proc put a server's slot. HOW:
//
//   segment  through its own data segment (limit 3 GiB): ADDRESS is beyond it
//   flat     through %es loaded with the kernel's flat data selector (GDT entry 2, RPL 3)
//
// Either must fault (#GP): proc ends it with kExitFaulted and the vector as its status, which
// small_servers_test checks. If the read succeeds it exits with status 1 and prints the byte.
#include "rt/rt.h"

#include "lib/driver/driver.h"

namespace {

uint8_t read_own_segment(uint32_t address) {
    return *reinterpret_cast<volatile const uint8_t*>(static_cast<uintptr_t>(address));
}

uint8_t read_flat(uint32_t address) {
    uint32_t value = 0;
    uint16_t selector = (2u << 3) | 3u;
    asm volatile("movw %w1, %%es\n\t"
                 "movzbl %%es:(%2), %0\n\t"
                 "pushl %%ds\n\t"
                 "popl %%es"
                 : "=r"(value)
                 : "r"(selector), "r"(address)
                 : "memory");
    return static_cast<uint8_t>(value);
}

} // namespace

int main() {
    loader::StartArguments args = driver::arguments();
    uint32_t address = 0;
    if (args.argc < 3 || !driver::parse_number(args.argv[2], address)) driver::exit(2);
    bool flat = strcmp(args.argv[1], "flat") == 0;
    uint8_t byte = flat ? read_flat(address) : read_own_segment(address);
    rt_printf("small_reader: read %02x at %08x (%s): isolation broken\n", byte, address,
              args.argv[1]);
    driver::exit(1);
}
