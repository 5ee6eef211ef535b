// Servers in small spaces: small_spaces.h says which and why.
#include "servers/proc/small_spaces.h"

#include "rt/rt.h"

#include "axolotl/kip.h"
#include "axolotl/syscalls.h"
#include "lib/loader/loader.h"
#include "servers/proc/server.h"

namespace proc {

ipc::Error prepare_module(const Proc& proc, loader::Process& process, uint32_t module,
                          const char* const* argv, uint32_t argc, const char** why,
                          const loader::StringBlock& more) {
    const ModuleImage& image = proc.images[module];
    if (wants_small_space(proc.config->modules[module])) {
        ipc::Error error = loader::prepare(process, image.data, image.size, argv, argc, why, more,
                                           loader::Process::kSmallEnd);
        if (error != ipc::Error::unsupported) return error;
        rt_printf("proc: %s does not fit a small space's layout: it runs large\n", argv[0]);
    }
    return loader::prepare(process, image.data, image.size, argv, argc, why, more);
}

bool make_space_small(axo_thread_id_t thread, const char* name) {
    if ((rt_kip()->api_flags & AXO_KIP_SMALL_SPACES) == 0) return false;
    uint32_t blocks = 0, base = 0;
    uint32_t error =
        axo_space_control(thread, AXO_SPACE_SMALL, loader::Process::kSmallBlocks, &blocks, &base);
    if (error != AXO_OK) {
        // It runs large, with the same layout.
        rt_printf("proc: %s stays in a large space: space_control error %u\n", name, error);
        return false;
    }
    rt_printf("proc: %s runs in a small space: %u MiB at %08x\n", name, blocks * 4, base);
    return true;
}

bool promote_outgrown(axo_thread_id_t thread, uint32_t vector, const char* name) {
    constexpr uint32_t kGeneralProtection = 13, kPageFault = 14;
    if (vector != kGeneralProtection && vector != kPageFault) return false;
    uint32_t blocks = 0, base = 0;
    if (axo_space_control(thread, AXO_SPACE_QUERY, 0, &blocks, &base) != AXO_OK || blocks == 0)
        return false;
    if (axo_space_control(thread, AXO_SPACE_LARGE, 0, &blocks, &base) != AXO_OK) return false;
    rt_printf("proc: %s outgrew its small space (vector %u): promoted to a large one\n", name,
              vector);
    return true;
}

} // namespace proc
