// mm, the memory manager (README.md): started by the root task, which makes it a σ0 client
// first; serves its protocol (protocol.h) and the page faults of its clients forever.
#include "rt/rt.h"
#include "servers/memory/mm/server.h"

namespace {

// Static: the frame pool's reference counts and the client table are far too large for a
// stack, and their zero state is the empty state.
mm::Server g_server;

} // namespace

int main() {
    g_server.init();
    axo_thread_id_t self = rt_my_id();
    rt_printf("mm: up, thread %u.%u\n", axo_thread_number(self), axo_thread_version(self));
    g_server.run();
}
