// Machine: the TLB model (hostsim/tlb.hpp) — translations cached per CPU until the kernel drops them.
#include <cinttypes>
#include <cstdio>

#include "hostsim/machine.hpp"
#include "hostsim/sanitizers.hpp"
#include "hostsim/sim_cpu.hpp"

namespace hostsim {

std::optional<std::uint64_t> Machine::translate(std::uint64_t va, std::uint8_t needed) {
    // The TLB model, its walker and the frame generations are the machine's: invisible to TSan.
    san::Bookkeeping bookkeeping;
    schedule(Point::tlb);
    SimCpu& c = self();
    auto generation = [this](std::uint64_t frame) {
        return frame_generation_ ? frame_generation_(frame) : 0;
    };
    if (!walker_) fail(Verdict::check_failed, "Machine::translate without a page-table walker (set_walker)");
    if (const Tlb::Entry* e = c.tlb.find(va)) {
        std::uint64_t pa = e->t.frame + (va - e->va_base);
        if ((e->t.rights & needed) == needed) {
            char what[200];
            if (generation(e->t.frame) != e->generation) {
                std::snprintf(what, sizeof what,
                              "cpu%d used a stale translation %#" PRIx64 " -> frame %#" PRIx64
                              ": the frame was freed or reused since the translation was cached (missing "
                              "invalidation or shootdown)",
                              running_, va, e->t.frame);
                fail(Verdict::stale_translation, what);
            }
            std::optional<Translation> now = walker_(c.root, va);
            if (now && now->frame + (va & (now->page_size - 1)) != pa) {
                std::snprintf(what, sizeof what,
                              "cpu%d used a stale translation %#" PRIx64 " -> %#" PRIx64
                              " but the page tables now map it to %#" PRIx64
                              " (missing invalidation or shootdown)",
                              running_, va, pa, now->frame + (va & (now->page_size - 1)));
                fail(Verdict::stale_translation, what);
            }
            // Unmapped but the frame still unfreed: the window before a shootdown, which x86 allows.
            if (trace_) trace("  cpu%d  tlb   %#" PRIx64 " -> %#" PRIx64 "  (cached)", running_, va, pa);
            return pa;
        }
        c.tlb.invalidate(va); // a fault drops the entry; the access walks again
    }
    std::optional<Translation> t = walker_(c.root, va);
    if (!t || (t->rights & needed) != needed) {
        if (trace_) trace("  cpu%d  walk  %#" PRIx64 " -> page fault", running_, va);
        return std::nullopt;
    }
    c.tlb.insert(va, *t, generation(t->frame));
    if (trace_)
        trace("  cpu%d  walk  %#" PRIx64 " -> %#" PRIx64 "  (TLB filled)", running_, va,
              t->frame + (va & (t->page_size - 1)));
    return t->frame + (va & (t->page_size - 1));
}

void Machine::load_root(std::uint64_t root) {
    san::Bookkeeping bookkeeping;
    SimCpu& c = self();
    c.root = root;
    c.tlb.flush(false);
}

std::uint64_t Machine::root() const {
    return cpus_[running_].root;
}

void Machine::invalidate_page(std::uint64_t va) {
    san::Bookkeeping bookkeeping;
    self().tlb.invalidate(va);
    if (user_mode_) user_mode_->invalidate(cpu_id(), va);
}

void Machine::invalidate_on(arch::CpuId id, std::optional<std::uint64_t> va) {
    san::Bookkeeping bookkeeping;
    if (id >= config_.cpus) return;
    SimCpu& c = cpu(static_cast<int>(id));
    if (va)
        c.tlb.invalidate(*va);
    else
        c.tlb.flush(false);
    if (user_mode_) user_mode_->invalidate(id, va);
}

void Machine::drop_pages(unsigned id, std::optional<std::uint64_t> va, std::uint64_t pages) {
    if (!va) return invalidate_on(id, std::nullopt);
    for (std::uint64_t i = 0; i < pages; ++i) invalidate_on(id, *va + i * 4096);
}

void Machine::shootdown(std::uint64_t cpu_mask, std::optional<std::uint64_t> va, std::uint64_t pages) {
    cross_cpu_request(cpu_mask, {CrossCpuRequest::Kind::tlb, va, pages, 0});
}

const Tlb& Machine::tlb(arch::CpuId id) const {
    return cpus_[id].tlb;
}

} // namespace hostsim
