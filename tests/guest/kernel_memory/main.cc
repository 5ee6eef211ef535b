// The kernel memory test root task: every promise of the kernel about memory, as
// TAP on the kernel console (README.md lists the tests).
#include "memory_harness.h"
#include "tests.h"

int main() {
    kt::begin();
    if (!kt::check(kt::memory_harness_start(),
                   "the supervisor runs and sigma0 gives the agents' code page")) {
        rt_printf("Bail out! the memory tests cannot run without sigma0's memory\n");
        kt::finish();
    }
    kt::sigma0_tests();
    kt::fault_tests();
    kt::notification_fault_tests();
    kt::chain_tests();
    kt::port_tests();
    kt::interrupt_tests();
    kt::bad_input_tests();
    kt::trap_surface_tests();
    kt::bounded_work_tests();
    kt::finish();
}
