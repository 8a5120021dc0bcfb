// The kernel's page table on simulated CPUs under the schedule explorer: registered scenarios (hostsim/
// scenario.hpp), so each is the ctest case sim.pagetable.<name> (label sim) running its plan, `./janus sim
// replay` finds it in janus_sim, and bench_sim measures it as the kernel page-table race. Every entry access
// is a contract atomic and so a scheduling point: the explorer interleaves the updates entry by entry, by
// random and PCT schedules, and a failure prints the line that replays it. Tables come from the buddy
// allocator in simulated RAM; retired ones are released after the run. Updates run with interrupts masked
// and each shootdown with them enabled, as the arch contract asks, so a CPU acknowledges another's shootdown
// only between its own updates (hostsim's shootdown follows the IPI protocol, Machine::shootdown).
//
//  * disjoint: three CPUs update their own slices of one 1 GiB region (sharing its upper tables, so installs
//    race from an empty tree); each CPU's slice must end exactly as its model says.
//  * overlap: two CPUs map and unmap the same 2 MiB (4 KiB pages against a superpage) while a third looks up;
//    every translation seen, during or after, is one some operation wrote, the walker agrees with lookup, and
//    every table is accounted for.
#include <array>
#include <cstdio>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <vector>

#include "arch/cpu.hpp"
#include "hostsim/explorer.hpp"
#include "hostsim/pagewalk.hpp"
#include "kernel/mem/frames.hpp"
#include "kernel/mem/kernel_page_table.hpp"
#include "kernel/mem/testing/page_table_on_machine.hpp"
#include "kernel/mem/testing/page_table_world.hpp"

namespace {

using namespace kernel::mem;
using hostsim::Machine;
using hostsim::Scenario;
namespace pt = kernel::mem::testing;

constexpr std::uint64_t K4 = 4096, M2 = 2ull << 20, G1 = 1ull << 30;
constexpr std::size_t ram_bytes = 2u << 20;

// One execution's kernel state, made inside the scenario body.
struct Sim : kernel::mem::testing::PageTableOnMachine {
    void boot(Machine& m) { PageTableOnMachine::boot(m, ram_bytes); }

    // One update, then its shootdown; the retired pages wait for the end of the run.
    template <typename Op>
    void update(Op op) {
        DeferredCleanup cleanup{&frames};
        auto flush = op(*table, cleanup);
        Machine::current()->check(flush.ok(), "update failed: error %d", flush.ok() ? 0 : int(flush.error()));
        if (flush.ok() && flush.value().kind != Flush::Kind::none) {
            // The update ran with interrupts masked; the shootdown is made with them enabled (arch/tlb.hpp),
            // so this CPU takes the others' requests while it waits for theirs.
            const arch::IrqState irq = arch::irq_save();
            arch::irq_enable();
            arch::tlb_shootdown(arch::CpuMask::all(), 0, flush.value());
            arch::irq_restore(irq);
        }
        retired[arch::cpu_id()].push_back(cleanup.batch);
    }
};

const Attributes rw{Rights{true, false, false}}, rx{Rights{false, true, false}}, ro{Rights{}};

// --- disjoint slices

using Step = std::function<void(Sim&, models::AddressSpace&, VirtAddr)>;

Step map_step(std::uint64_t offset, PhysAddr pa, std::uint64_t bytes, PageSize size, Attributes a) {
    return [=](Sim& s, models::AddressSpace& model, VirtAddr base) {
        s.update([&](KernelPageTable& t, DeferredCleanup& c) {
            return t.map(base + offset, pa, bytes, size, a, c);
        });
        model.map(base + offset, pa, bytes, bytes_of(size), pt::to_model(a.rights), models::Cache::write_back,
                  false);
    };
}
Step unmap_step(std::uint64_t offset, std::uint64_t bytes) {
    return [=](Sim& s, models::AddressSpace& model, VirtAddr base) {
        s.update([&](KernelPageTable& t, DeferredCleanup& c) { return t.unmap(base + offset, bytes, c); });
        model.unmap(base + offset, bytes);
    };
}
Step protect_step(std::uint64_t offset, std::uint64_t bytes, Rights r) {
    return [=](Sim& s, models::AddressSpace& model, VirtAddr base) {
        s.update(
            [&](KernelPageTable& t, DeferredCleanup& c) { return t.protect(base + offset, bytes, r, c); });
        model.protect(base + offset, bytes, pt::to_model(r));
    };
}

// Empty if every 4 KiB page of [from, to) walks to what `model` says; else the first address that does not,
// and how. Equivalent to a walk and a model lookup per page, in fewer of both: when the walker and the model
// agree on a whole page at its base, every address inside it agrees too, and an entry the walker finds
// not present covers its whole span of addresses, which the model must leave empty as well. The model's pages
// are visited in order, so no lookup searches.
std::string slice_matches(Machine& m, Sim& s, const models::AddressSpace& model, VirtAddr from, VirtAddr to) {
    const auto& pages = model.pages();
    auto next = pages.upper_bound(from); // the first model page starting after `va`
    for (VirtAddr va = from; va < to;) {
        while (next != pages.end() && next->first <= va) ++next;
        std::optional<models::Found> found;
        if (next != pages.begin()) {
            const auto& [page, mapping] = *std::prev(next);
            if (va - page < mapping.size) found = models::Found{page, mapping};
        }
        const hostsim::PageWalk w = s.walk(m, va);
        if (std::string d = pt::walk_matches(w, found, va); !d.empty()) {
            char at[32];
            std::snprintf(at, sizeof at, "at %#llx: ", static_cast<unsigned long long>(va));
            return at + d;
        }
        if (found && found->page == va && w.page_size == found->mapping.size) {
            va += found->mapping.size;
        } else if (!found && w.level >= 1 && w.level <= 4) {
            // Not present at w.level: up to the end of that entry's span, or the model's next page.
            const std::uint64_t span = bytes_of_level(w.level);
            va = (va & ~(span - 1)) + span;
            if (next != pages.end() && next->first < va) va = next->first;
        } else {
            va += K4;
        }
    }
    return {};
}

Scenario disjoint_scenario() {
    Scenario sc;
    sc.name = "pagetable.disjoint_slices";
    sc.description = "three CPUs update their own slices of one 1 GiB region of the kernel page table";
    sc.config.cpus = 3;
    sc.config.memory_bytes = ram_bytes;
    sc.config.step_budget = 400'000;
    sc.body = [](Machine& m) {
        auto s = std::make_unique<Sim>();
        s->boot(m);
        // Each CPU: a 4 KiB run, a superpage over it, a split by a small page, protect across the split,
        // unmap of part. Slices are 4 MiB apart inside one 1 GiB region of an empty tree.
        const std::vector<Step> program = {
            map_step(0, 0x10'0000, 3 * K4, PageSize::size_4k, rw),
            map_step(0, 0x40'0000, M2, PageSize::size_2m, rx),
            map_step(5 * K4, 0x9000, K4, PageSize::size_4k, rw),
            protect_step(4 * K4, 3 * K4, ro.rights),
            unmap_step(M2 - K4, 2 * K4),
            map_step(M2, 0x80'0000, M2, PageSize::size_2m, rw),
        };
        std::vector<models::AddressSpace> models(3);
        for (unsigned c = 0; c < 3; ++c) {
            m.start(c, [&, c] {
                const VirtAddr base = 0x0000'2000'0000'0000 + G1 + std::uint64_t{c} * 4 * M2;
                for (const Step& step : program) step(*s, models[c], base);
            });
        }
        m.run();
        if (m.outcome().failed()) return;
        for (unsigned c = 0; c < 3; ++c) {
            const VirtAddr base = 0x0000'2000'0000'0000 + G1 + std::uint64_t{c} * 4 * M2;
            if (std::string w = slice_matches(m, *s, models[c], base - K4, base + 4 * M2); !w.empty()) {
                m.check(false, "cpu%u slice: %s", c, w.c_str());
                return;
            }
        }
        s->teardown(m);
    };
    return sc;
}

// --- overlap

constexpr VirtAddr window = 0x0000'3000'0000'0000;
// Frames encode the operation that wrote them; rights per operation, so a translation names its writer.
struct Write {
    PhysAddr frame; // frame of the window's first page under this write
    Rights rights;
};
const Write initial{0x1'0000'0000, Rights{false, false, false}};
const Write small_a{0x2'0000'0000, Rights{true, false, false}};
const Write super_b{0x3'0000'0000, Rights{false, true, false}};
const Write small_b{0x4'0000'0000, Rights{true, true, false}};

// Is `t` (seen at `va`) a translation one of the writes made?
bool written(const Translation& t, VirtAddr va) {
    const PhysAddr pa = t.frame + (va - t.page);
    for (const Write& w : {initial, small_a, super_b, small_b})
        if (pa == w.frame + (va - window) && t.attributes.rights == w.rights) return true;
    return false;
}

Scenario overlap_scenario() {
    Scenario sc;
    sc.name = "pagetable.overlap_with_reader";
    sc.description = "two CPUs map and unmap the same 2 MiB of the kernel page table while a third looks up";
    sc.config.cpus = 3;
    sc.config.memory_bytes = ram_bytes;
    sc.config.step_budget = 400'000;
    sc.body = [](Machine& m) {
        auto s = std::make_unique<Sim>();
        s->boot(m);
        m.run([&] {
            s->update([](KernelPageTable& t, DeferredCleanup& c) {
                return t.map(window, initial.frame, 8 * K4, PageSize::size_4k, Attributes{initial.rights}, c);
            });
        });
        auto writers_done = std::make_shared<arch::Atomic<std::uint32_t>>(0);
        m.start(0, [&, writers_done] {
            s->update([](KernelPageTable& t, DeferredCleanup& c) {
                return t.map(window + 2 * K4, small_a.frame + 2 * K4, 4 * K4, PageSize::size_4k,
                             Attributes{small_a.rights}, c);
            });
            s->update([](KernelPageTable& t, DeferredCleanup& c) { return t.unmap(window + 3 * K4, K4, c); });
            writers_done->fetch_add(1);
        });
        m.start(1, [&, writers_done] {
            s->update([](KernelPageTable& t, DeferredCleanup& c) {
                return t.map(window, super_b.frame, M2, PageSize::size_2m, Attributes{super_b.rights}, c);
            });
            s->update([](KernelPageTable& t, DeferredCleanup& c) {
                return t.map(window + 4 * K4, small_b.frame + 4 * K4, K4, PageSize::size_4k,
                             Attributes{small_b.rights}, c);
            });
            writers_done->fetch_add(1);
        });
        m.start(2, [&, writers_done] {
            // The reader: page after page until both writers are done (a fixed order, so runs replay). It
            // polls, so it relaxes each round and a priority-driven schedule does not starve the writers.
            for (unsigned i = 0; writers_done->load() < 2; i = (i + 1) % 8) {
                const VirtAddr va = window + i * K4 + 16;
                std::optional<Translation> t = s->table->lookup(va);
                if (t && !Machine::current()->check(written(*t, va),
                                                    "reader saw a translation nobody wrote at %#llx",
                                                    static_cast<unsigned long long>(va)))
                    return;
                // Each lookup with interrupts masked, as the kernel makes them; open between them, so the
                // writers' shootdowns get their acknowledgement (a masked poll would hold them up for good).
                arch::irq_enable();
                arch::cpu_relax();
                arch::irq_disable();
            }
        });
        m.run();
        if (m.outcome().failed()) return;
        m.run([&] {
            // The end state, page by page, from program order alone: CPU 1's superpage replaced the initial
            // pages; CPU 0's unmap of page 3 may have taken that superpage whole (before CPU 1 split it) or
            // only page 3.
            for (VirtAddr va = window - K4; va <= window + M2; va += K4) {
                std::optional<Translation> t = s->table->lookup(va);
                hostsim::PageWalk w = s->walk(m, va);
                if (!m.check(bool(t) == (w.outcome == hostsim::PageWalk::Outcome::mapped),
                             "lookup and walker disagree"))
                    return;
                if (t && !m.check(w.phys == t->frame + (va - t->page), "walker and lookup differ at %#llx",
                                  static_cast<unsigned long long>(va)))
                    return;
                const std::uint64_t page = (va - window) / K4;
                std::vector<std::optional<Write>> allowed;
                if (va < window || va >= window + M2) {
                    allowed = {std::nullopt};
                } else if (page == 4) {
                    allowed = {small_a, small_b};
                } else if (page == 2 || page == 5) {
                    allowed = {small_a, super_b, std::nullopt};
                } else {
                    allowed = {super_b, std::nullopt};
                }
                bool ok = false;
                for (const std::optional<Write>& a : allowed) {
                    if (!a) {
                        ok |= !t;
                    } else {
                        ok |= t && t->frame + (va - t->page) == a->frame + (va - window) &&
                              t->attributes.rights == a->rights;
                    }
                }
                if (!m.check(ok, "page %llu ends with a translation no order of the updates leaves",
                             static_cast<unsigned long long>(page)))
                    return;
            }
        });
        if (m.outcome().failed()) return;
        s->teardown(m);
    };
    return sc;
}

// Random and PCT schedules, `runs` of each.
Scenario planned(Scenario sc, std::uint64_t runs) {
    sc.plan = {{*hostsim::StrategySpec::parse("random"), runs},
               {*hostsim::StrategySpec::parse("pct3"), runs}};
    return sc;
}

[[maybe_unused]] const bool registered[] = {
    hostsim::register_scenario(planned(disjoint_scenario(), 60)),
    hostsim::register_scenario(planned(overlap_scenario(), 100)),
};

} // namespace
