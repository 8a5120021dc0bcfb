// The PageSource a machine's kernel uses: single frames from the buddy frame allocator (kernel/mem), reached
// through the arch contract's physical-memory window. The allocator only manages frames inside that window.
#pragma once

#include "kernel/kmem/page_source.hpp"
#include "kernel/mem/frame_allocator.hpp"

namespace kernel {

class FramePageSource final : public PageSource {
public:
    explicit FramePageSource(mem::FrameAllocator& frames) : frames_(frames) {}

    void* take_page() override;
    void give_page(void* page) override;
    std::uint64_t physical(const void* page) const override;
    void* at_physical(std::uint64_t physical) const override;

private:
    mem::FrameAllocator& frames_;
};

} // namespace kernel
