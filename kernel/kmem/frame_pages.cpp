#include "kernel/kmem/frame_pages.hpp"

#include "arch/phys.hpp"
#include "kernel/panic.hpp"

namespace kernel {

void* FramePageSource::take_page() {
    auto pa = frames_.allocate(0);
    if (!pa) return nullptr;
    if (!arch::phys_accessible(*pa, page_bytes)) {
        // The allocator was given memory outside the window: a boot bug. Keep the frame out of use.
        return nullptr;
    }
    return arch::phys_to_virt(*pa);
}

void FramePageSource::give_page(void* page) {
    bool released = frames_.release(arch::virt_to_phys(page), 0);
    JANUS_ASSERT(released); // Kmem only gives back pages it took from here
}

std::uint64_t FramePageSource::physical(const void* page) const {
    return arch::virt_to_phys(page);
}

void* FramePageSource::at_physical(std::uint64_t physical) const {
    return arch::phys_to_virt(physical);
}

} // namespace kernel
