// A missing TLB shootdown: CPU1 unmaps a page and frees its frame while CPU0 may still hold the translation
// in its TLB; CPU0's next access through the stale translation touches a frame that is no longer the page's.
// Fixed: shoot the page down on CPU0 before freeing the frame. Uses a one-level toy page table and a toy
// frame allocator that counts frees per frame (the TLB model's frame generation).
#include "arch/atomic.hpp"
#include "hostsim/planted/planted.hpp"

namespace hostsim::planted {
namespace {

constexpr std::uint64_t page_va = 0x2000;
constexpr std::uint64_t frame = 0x7000;

struct ToyMmu {
    arch::Atomic<std::uint64_t> pte[4]; // pte[i] maps page i: frame | 1 (present)
    std::uint64_t frees[16] = {};       // per frame number: how often it was freed

    std::optional<Translation> walk(std::uint64_t va) const {
        std::uint64_t e = peek(&pte[(va >> 12) & 3]);
        if (va >= 4 * 4096 || !(e & 1)) return std::nullopt;
        return Translation{e & ~0xfffull, 4096, access::read | access::write, false};
    }
};

void missing_shootdown(Machine& m, bool fixed) {
    ToyMmu mmu;
    mmu.pte[page_va >> 12].store(frame | 1);
    m.set_walker([&mmu](std::uint64_t, std::uint64_t va) { return mmu.walk(va); });
    m.set_frame_generation([&mmu](std::uint64_t f) { return mmu.frees[(f >> 12) & 15]; });
    m.start(0, [&] { // a user thread touching the page a few times
        for (int i = 0; i < 3; ++i)
            if (!m.translate(page_va + 8 * i, access::write)) return; // page fault: the page is gone
    });
    m.start(1, [&] { // the kernel unmapping it
        mmu.pte[page_va >> 12].store(0, arch::MemoryOrder::release);
        if (fixed) m.shootdown(1u << 0, page_va);
        ++mmu.frees[frame >> 12]; // the frame goes back to the allocator and may be reused at once
    });
    m.run();
}

[[maybe_unused]] const bool registered =
    plant("missing_shootdown", "frame freed after unmap without a TLB shootdown", small_machine(2),
          {*StrategySpec::parse("pct3"), 500}, Verdict::stale_translation, missing_shootdown);

} // namespace
} // namespace hostsim::planted
