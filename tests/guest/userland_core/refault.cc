// refault: asks its pager (mm, or proc without mm) again for a page it already has, as a second
// thread faulting on the same page at the same time would (or a fault the kernel retries). The
// answer must be the same page: a fresh copy would replace the process's mapping and lose what it
// wrote there (lib/loader's handle_fault did so before it looked up the pages it had given). Exits
// with 0 if the value it wrote survived; 1 if it was lost; 2 if the IPC failed; 3 if the pager sent
// no map item.
#include "program.h"

namespace {
volatile uint32_t g_value; // .bss: a writable page its pager gave it on its first touch
} // namespace

int main() {
    g_value = 0x5EED;
    uint32_t page = reinterpret_cast<uintptr_t>(&g_value) & ~0xFFFu;
    // The message the kernel sends for a write fault; the sender is this thread, as it is for
    // a real fault. The reply's map item lands in BR0's window: all of the space.
    axo_utcb_t* utcb = axo_my_utcb();
    utcb->br[0] = AXO_FPAGE_COMPLETE;
    utcb->mr[0] = axo_msg_tag(AXO_LABEL_PAGE_FAULT | AXO_FPAGE_W, 2, 0);
    utcb->mr[1] = page;
    utcb->mr[2] = 0;
    axo_msg_tag_t tag = axo_ipc_call(program::pager_thread(), 0);
    utcb->br[0] = AXO_FPAGE_NIL;
    if (axo_tag_failed(tag)) program::exit(2);
    if (axo_tag_typed(tag) != 2) program::exit(3);
    program::exit(g_value == 0x5EED ? 0 : 1);
}
