// dma_keeper: a restartable driver (its line: a port grant, on-exit=restart) that checks that
// its DMA block survives a restart. It claims its grants and DMA slot 0 (8 KiB). A fresh block
// is zero: it writes a marker with the block's physical address and registers "dma-first". A
// restarted instance finds the marker, and the same physical address in it: it registers
// "dma-same" (or "dma-lost" if not). Then it waits to be killed.
#include "common.h"

namespace {

constexpr uint32_t kMagic = 0xD4A5EEDu;

} // namespace

int main() {
    driver::Grants grants{};
    uint32_t physical = 0;
    uint32_t where = driver::kDeviceArea;
    if (driver::claim(grants) != ipc::Error::ok ||
        driver::allocate_dma(0, 13, where, physical) != ipc::Error::ok)
        driver::exit(1);
    volatile uint32_t* block = reinterpret_cast<volatile uint32_t*>(where);
    const char* name;
    if (block[0] == 0 && block[1] == 0) {
        block[0] = kMagic;
        block[1] = physical;
        block[2047] = ~physical; // the last word of the block, too
        name = "dma-first";
    } else {
        bool same = block[0] == kMagic && block[1] == physical && block[2047] == ~physical;
        name = same ? "dma-same" : "dma-lost";
    }
    rt_printf("dma_keeper: restart %u, DMA block at physical %08x: %s\n", grants.restarts, physical,
              name);
    if (names::register_name(name) != ipc::Error::ok) driver::exit(2);
    for (;;)
        axo_ipc_receive(rt_my_id(), AXO_TIMEOUT_NEVER); // nobody sends to itself: parked
}
