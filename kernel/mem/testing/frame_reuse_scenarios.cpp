// The kernel's finish() (kernel_page_table.hpp: shoot down, then release what the update retired) with frame
// reuse tied to the kernel's frame allocator (issue 16): a released frame is reused only by allocating it
// again, and hostsim's frame generation of a frame changes exactly when that allocation hands it out. So a
// finish() that frees before (or without) the shootdown lets a CPU allocate and write a frame while another
// CPU may still translate to it through its TLB, and the TLB model reports that access as a stale
// translation.
//
// Three CPUs on one kernel page table whose four data frames the table owns (DeferredCleanup::table_owned):
//  * cpu1 stands for code using the pages: it caches their translations, then keeps accessing them, in rounds
//    with interrupts masked (kernel code copying from a user page) and open between rounds; every access must
//    reach the page's own frame or fault once the page is gone;
//  * cpu0 unmaps the four pages (interrupts masked, as updates run) and calls finish() with interrupts open;
//  * cpu2 reuses memory: once the unmap returned it keeps allocating 4 KiB frames from the same allocator,
//    bumps each frame's generation as it gets it and writes into it.
// The allocator is drained before the CPUs start, so the only frames cpu2 can get are the ones finish()
// releases. At the end every unmapped frame must have come back through the allocator and every page table
// and frame is accounted for. Before the scenario existed, a plant in finish() that released the batch before
// the shootdown passed every test: kernel_page_table_test.cpp bumps its generation only after finish()
// returned.
#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "arch/atomic.hpp"
#include "arch/cpu.hpp"
#include "arch/phys.hpp"
#include "hostsim/explorer.hpp"
#include "hostsim/pagewalk.hpp"
#include "kernel/mem/kernel_page_table.hpp"
#include "kernel/mem/testing/page_table_on_machine.hpp"

namespace {

using namespace kernel::mem;
using hostsim::Machine;
using hostsim::Scenario;

constexpr std::size_t ram_bytes = 2u << 20;
constexpr VirtAddr va = 0x0000'4000'0000'0000;
constexpr unsigned pages = 4;
constexpr unsigned rounds = 40; // cpu1's rounds of accesses and cpu2's attempts while cpu0 works

struct Sim : kernel::mem::testing::PageTableOnMachine {
    std::array<PhysAddr, pages> frame{};
    std::vector<std::pair<PhysAddr, unsigned>> hoard;  // every frame left after setup, held until the end
    std::map<std::uint64_t, std::uint64_t> generation; // bumped by cpu2 when the allocator hands a frame out
    std::vector<PhysAddr> reused;                      // cpu2's
    arch::Atomic<std::uint32_t> cached{0}, unmapped{0}, done{0};

    void install_walker(Machine& m) {
        m.set_walker([this, &m](std::uint64_t, std::uint64_t at) -> std::optional<hostsim::Translation> {
            const hostsim::PageWalk w = walk(m, at);
            if (w.outcome != hostsim::PageWalk::Outcome::mapped) return std::nullopt;
            hostsim::Translation t;
            t.page_size = w.page_size;
            t.frame = w.phys & ~(w.page_size - 1);
            t.rights = hostsim::access::read | (w.writable ? hostsim::access::write : 0) |
                       (w.executable ? hostsim::access::execute : 0) | (w.user ? hostsim::access::user : 0);
            t.global = w.global;
            return t;
        });
        m.set_frame_generation([this](std::uint64_t f) {
            auto it = generation.find(f);
            return it == generation.end() ? 0 : it->second;
        });
    }

    // cpu1: every access reaches the page's own frame, or faults once the page is unmapped.
    bool access_all(Machine& m, bool must_fault) {
        for (unsigned i = 0; i < pages; ++i) {
            const std::optional<std::uint64_t> pa = m.translate(va + i * 4096 + 8, hostsim::access::write);
            if (must_fault ? pa.has_value() : (pa && *pa != frame[i] + 8))
                return m.check(false, "cpu1: page %u at %#llx reached %#llx", i,
                               static_cast<unsigned long long>(va) + i * 4096ULL,
                               static_cast<unsigned long long>(pa.value_or(0)));
        }
        return true;
    }

    // cpu2: one attempt to reuse a frame.
    bool reuse_one() {
        const std::optional<PhysAddr> pa = frames.allocate(0);
        if (!pa) return false;
        ++generation[*pa];
        reused.push_back(*pa);
        static_cast<arch::Atomic<std::uint64_t>*>(arch::phys_to_virt(*pa))
            ->store(0x5eed, arch::MemoryOrder::relaxed);
        return true;
    }
};

void finish_then_reuse(Machine& m) {
    auto s = std::make_unique<Sim>();
    s->boot(m, ram_bytes);
    if (m.outcome().failed()) return;
    s->install_walker(m);
    m.run([&] {
        DeferredCleanup setup{&s->frames, DeferredCleanup::Frames::table_owned};
        for (unsigned i = 0; i < pages; ++i) {
            s->frame[i] = s->frames.allocate(0).value_or(0);
            auto r = s->table->map(va + i * 4096, s->frame[i], 4096, PageSize::size_4k,
                                   Attributes{Rights{true, false, false}}, setup);
            if (!m.check(s->frame[i] && r.ok(), "setup map %u", i)) return;
            finish(setup, r.value());
        }
        for (unsigned order = FrameAllocator::max_order + 1; order-- > 0;)
            while (auto pa = s->frames.allocate(order)) s->hoard.push_back({*pa, order});
    });
    if (m.outcome().failed()) return;

    m.start(0, [&] {
        while (s->cached.load() == 0) arch::cpu_relax();
        DeferredCleanup update{&s->frames, DeferredCleanup::Frames::table_owned};
        const arch::IrqState irq = arch::irq_save();
        auto flush = s->table->unmap(va, pages * 4096, update);
        arch::irq_restore(irq);
        if (!m.check(flush.ok() && update.refused == 0 && update.batch.frames >= pages, "unmap")) return;
        s->unmapped.store(1);
        arch::irq_enable(); // finish() shoots down with interrupts open, as arch/tlb.hpp asks
        finish(update, flush.value());
        s->done.store(1);
    });
    m.start(1, [&] {
        m.load_root(s->table->root());
        if (!s->access_all(m, false)) return;
        s->cached.store(1);
        arch::irq_enable();
        // Bounded (an unbounded loop is a livelock under PCT, which runs the highest-priority CPU on).
        for (unsigned round = 0; round < rounds && s->done.load() == 0; ++round) {
            const arch::IrqState irq = arch::irq_save();
            const bool ok = s->access_all(m, false);
            arch::irq_restore(irq);
            if (!ok) return;
        }
        while (s->done.load() == 0) arch::cpu_relax();
        s->access_all(m, true);
    });
    m.start(2, [&] {
        arch::irq_enable();
        while (s->unmapped.load() == 0) arch::cpu_relax();
        for (unsigned attempt = 0; attempt < rounds && s->done.load() == 0; ++attempt)
            if (!s->reuse_one()) arch::cpu_relax();
        while (s->done.load() == 0) arch::cpu_relax();
        while (s->reuse_one()) {
        }
    });
    m.run();
    if (m.outcome().failed()) return;

    std::vector<PhysAddr> expected(s->frame.begin(), s->frame.end()), got = s->reused;
    std::sort(expected.begin(), expected.end());
    std::sort(got.begin(), got.end());
    if (!m.check(std::includes(got.begin(), got.end(), expected.begin(), expected.end()),
                 "cpu2 reused %zu frames, not every one of the %u unmapped", got.size(), pages))
        return;
    m.run([&] {
        for (PhysAddr pa : s->reused) m.check(s->frames.release(pa, 0), "release a reused frame");
        for (auto [pa, order] : s->hoard) m.check(s->frames.release(pa, order), "release the hoard");
    });
    if (m.outcome().failed()) return;
    s->teardown(m);
}

[[maybe_unused]] const bool registered = hostsim::register_scenario([] {
    Scenario sc;
    sc.name = "pagetable.finish_then_reuse";
    sc.description = "finish(): four pages unmapped while a CPU keeps using them and another reallocates and "
                     "writes every frame the allocator gives back (frame generations from the allocator)";
    sc.config.cpus = 3;
    sc.config.memory_bytes = ram_bytes;
    sc.config.step_budget = 400'000;
    sc.body = finish_then_reuse;
    sc.plan = {{*hostsim::StrategySpec::parse("random"), 500}, {*hostsim::StrategySpec::parse("pct3"), 500}};
    return sc;
}());

} // namespace
