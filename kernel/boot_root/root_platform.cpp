#include "kernel/boot_root/root_platform.hpp"
#include "kernel/abi/abi.hpp"

#include "arch/phys.hpp"
#include "kernel/kernel.hpp"
#include "kernel/lib/print.hpp"
#include "kernel/mapdb/mapdb.hpp"
#include "kernel/obj/pd.hpp"

namespace kernel {

namespace spec = janus::abi;

bool map_root_platform(Kernel& kernel, Pd& root, mem::FrameAllocator& frames, const boot::BootInfo& info) {
    constexpr std::uint64_t page = janus::abi::page_bytes;
    auto pa = frames.allocate(0);
    if (!pa || !arch::phys_accessible(*pa, page)) {
        println("root: no frame for the platform page");
        return false;
    }
    auto* words = static_cast<std::uint64_t*>(arch::phys_to_virt(*pa));
    for (std::uint64_t i = 0; i < page / sizeof *words; ++i) words[i] = 0;
    auto& platform = *static_cast<spec::Platform*>(arch::phys_to_virt(*pa));
    const std::size_t count = info.ecam_count < spec::max_pci_ecam ? info.ecam_count : spec::max_pci_ecam;
    for (std::size_t i = 0; i < count; ++i) platform.ecam[i] = info.ecam[i];
    platform.ecam_count = count;
    if (const Error e = grant_root_memory(kernel.mapdb, root, spec::root_mem::platform, *pa, 1,
                                          spec::rights::read | spec::rights::grant);
        e != Error::ok) {
        println("root: mapping the platform page failed (error ", static_cast<unsigned>(e), ")");
        return false;
    }
    return true;
}

} // namespace kernel
