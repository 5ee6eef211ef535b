#include "servers/proc/module_image.h"

namespace proc {

ModuleImage map_module(const ModuleConfig& module) {
    constexpr uint32_t kPageSize = 4096;
    ModuleImage image{};
    uint32_t first_page = module.start & ~(kPageSize - 1);
    uint64_t end = uint64_t{module.start} + module.size;
    if (module.size == 0) {
        image.why = "an empty module";
        return image;
    }
    if (end > kModuleWindowSize) {
        image.why = "a module above 1 GiB (outside proc's module window)";
        return image;
    }
    image.data = loader::map_boot_module(module.index, kModuleWindow + first_page, &image.size);
    if (image.data == nullptr) {
        image.why = "sigma0 did not map the module's memory";
        return image;
    }
    image.program =
        axo::elf::parse(image.data, image.size, kProgramLimit, image.elf, &image.why).ok();
    return image;
}

} // namespace proc
