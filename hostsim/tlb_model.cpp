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
    san::Bookkeeping bookkeeping;
    if (config_.cpus < 64) cpu_mask &= (std::uint64_t{1} << config_.cpus) - 1;
    if (!in_run_ || running_ == host_index()) { // no CPU executes: nothing can be in between
        for (unsigned i = 0; i < config_.cpus; ++i)
            if (cpu_mask >> i & 1) drop_pages(i, va, pages);
        return;
    }
    schedule(Point::ipi);
    const unsigned me = static_cast<unsigned>(running_);
    if (trace_)
        trace("  cpu%u  shootdown of %s on cpu mask %#llx", me,
              va ? (pages == 1 ? "one page" : "a range") : "everything",
              static_cast<unsigned long long>(cpu_mask));
    std::uint64_t targets = 0;
    for (unsigned i = 0; i < config_.cpus; ++i) {
        if (i == me || !(cpu_mask >> i & 1)) continue;
        SimCpu& t = cpu(static_cast<int>(i));
        if (t.state == CpuState::off || t.state == CpuState::finished) {
            drop_pages(i, va, pages); // idle with interrupts enabled: takes the IPI at once
            continue;
        }
        san::tsan_release(&t.shootdowns); // x86: the request is published with a release store
        t.shootdowns.push_back({me, va, pages});
        targets |= std::uint64_t{1} << i;
    }
    if (targets) ++epoch_; // a spinning target may be waiting for an interrupt
    if (cpu_mask >> me & 1) drop_pages(me, va, pages);
    SimCpu& c = self();
    c.awaiting_acks |= targets;
    while (c.awaiting_acks) {
        schedule(Point::ack_wait);
        if (trace_ && !c.awaiting_acks) trace("  cpu%u  shootdown acknowledged by every target", me);
    }
    // x86: the acquire load that sees every acknowledgement; what the targets did before their handler
    // happens before what this CPU does next (reusing the pages they may have walked).
    san::tsan_acquire(&c.awaiting_acks);
}

bool Machine::shootdown_pending(arch::CpuId id) const {
    return id < config_.cpus && !cpus_[id].shootdowns.empty();
}

// The target's side, in its interrupt delivery (arch/x86_64/interrupt.cpp: vector::tlb_shootdown, handled by
// the arch layer): drop what each request names, then clear this CPU's bit in its initiator's wait.
void Machine::acknowledge_shootdowns(unsigned id) {
    san::Bookkeeping bookkeeping;
    SimCpu& c = cpu(static_cast<int>(id));
    san::tsan_acquire(&c.shootdowns);
    for (const SimCpu::ShootdownRequest& r : c.shootdowns) {
        if (trace_)
            trace("  cpu%u  takes the shootdown IPI of cpu%u: drops its entries, acknowledges", id, r.initiator);
        drop_pages(id, r.va, r.pages);
        SimCpu& initiator = cpu(static_cast<int>(r.initiator));
        san::tsan_release(&initiator.awaiting_acks); // x86: the release fetch_and of the acknowledgement
        initiator.awaiting_acks &= ~(std::uint64_t{1} << id);
    }
    c.shootdowns.clear();
    ++epoch_; // the initiators' polls see the change
}

const Tlb& Machine::tlb(arch::CpuId id) const {
    return cpus_[id].tlb;
}

} // namespace hostsim
