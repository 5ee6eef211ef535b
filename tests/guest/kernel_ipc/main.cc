// The kernel test root task: every promise of the kernel about threads and IPC, as TAP on
// the kernel console (README.md lists the tests).
#include "harness.h"
#include "tests.h"

int main() {
    kt::begin();
    kt::environment_tests();
    kt::ipc_tests();
    kt::timeout_tests();
    kt::thread_tests();
    kt::scheduling_tests();
    kt::exception_tests();
    kt::notification_tests();
    kt::lib_ipc_notification_tests();
    kt::bad_input_tests();
    kt::message_rewrite_tests();
    kt::finish();
}
