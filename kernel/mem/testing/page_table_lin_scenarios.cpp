// Linearizability of the kernel page table (issue 16): programs of maps, unmaps, protects, lookups and
// accesses through the TLB model run on 2-4 simulated CPUs under the explorer; every call's invocation and
// response is stamped with the machine's step counter (one logical clock for all CPUs: only one CPU runs at
// a time, and every CPU switch passes a scheduling point, which advances it), and after the run the history
// must have an order consistent with real time in which models::AddressSpace gives every recorded answer
// and ends with the tables' translations (linearizability.hpp). Scenarios are sim.pagetable.lin.* in
// ctest (label sim) with a fixed plan, and `./janus sim explore pagetable.lin.NAME` runs them without one.
//
// As in page_table_sim_scenarios.cpp, tables come from the buddy allocator in simulated RAM and retired ones
// are released after the run: hostsim's shootdown does not wait for other CPUs to leave their updates, so
// the end of the run stands for the grace period.
#include <array>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arch/cpu.hpp"
#include "hostsim/explorer.hpp"
#include "hostsim/pagewalk.hpp"
#include "kernel/mem/frames.hpp"
#include "kernel/mem/kernel_page_table.hpp"
#include "kernel/mem/testing/linearizability.hpp"
#include "kernel/mem/testing/page_table_history.hpp"
#include "kernel/mem/testing/page_table_lin_programs.hpp"
#include "kernel/mem/testing/page_table_on_machine.hpp"

namespace {

using namespace kernel::mem;
using namespace kernel::mem::testing::lin;
using hostsim::Machine;
using hostsim::Scenario;

constexpr std::size_t ram_bytes = 2u << 20;
constexpr std::uint64_t scan_end = window + (2ull << 30); // the final state is compared over [window, here)

struct Sim : kernel::mem::testing::PageTableOnMachine {
    // Per CPU, each appended to only by its CPU (harness state shared without synchronisation would be a
    // TSan report).
    std::array<std::vector<Event>, hostsim::max_sim_cpus> events;

    // The MMU of every CPU: hostsim's TLB model over these tables.
    void install_walker(Machine& m) {
        m.set_walker([this, &m](std::uint64_t, std::uint64_t va) -> std::optional<hostsim::Translation> {
            const hostsim::PageWalk w = walk(m, va);
            if (w.outcome != hostsim::PageWalk::Outcome::mapped) return std::nullopt;
            hostsim::Translation t;
            t.page_size = w.page_size;
            t.frame = w.phys & ~(w.page_size - 1);
            t.rights = hostsim::access::read | (w.writable ? hostsim::access::write : 0) |
                       (w.executable ? hostsim::access::execute : 0) | (w.user ? hostsim::access::user : 0);
            t.global = w.global;
            return t;
        });
    }

    // One call on the executing CPU, stamped with the step counter before and after. An update ends with its
    // shootdown, as the kernel's do; what it retired waits for the end of the run.
    void perform(Machine& m, const Call& c) {
        Event e;
        e.cpu = arch::cpu_id();
        e.call = c;
        e.invoke = m.outcome().steps;
        // As in the kernel: the update with interrupts masked, its shootdown with them enabled
        // (arch/tlb.hpp), so a CPU takes the others' shootdown requests while it waits for its own.
        auto update = [&](auto op) {
            DeferredCleanup cleanup{&frames};
            const arch::IrqState irq = arch::irq_save();
            auto r = op(cleanup);
            arch::irq_restore(irq);
            if (r.ok()) {
                e.answer.flush = r.value();
                if (r.value().kind != Flush::Kind::none)
                    arch::tlb_shootdown(arch::CpuMask::all(), 0, r.value());
            } else {
                e.answer.error = r.error();
            }
            retired[e.cpu].push_back(cleanup.batch);
        };
        switch (c.kind) {
        case OpKind::map:
            update([&](DeferredCleanup& cl) {
                return table->map(c.va, c.pa, c.bytes, c.size, c.attributes, cl);
            });
            break;
        case OpKind::unmap:
            update([&](DeferredCleanup& cl) { return table->unmap(c.va, c.bytes, cl); });
            break;
        case OpKind::protect:
            update([&](DeferredCleanup& cl) { return table->protect(c.va, c.bytes, c.rights, cl); });
            break;
        case OpKind::lookup:
            e.answer.found = table->lookup(c.va);
            break;
        case OpKind::translate:
            e.answer.phys = m.translate(c.va, hostsim::access::read);
            break;
        }
        e.response = m.outcome().steps;
        events[e.cpu].push_back(e);
    }

    // The tables' translations over [window, scan_end) by the independent walker, entry by entry.
    bool final_runs(Machine& m, std::vector<Run>& runs) const {
        for (VirtAddr va = window; va < scan_end;) {
            const hostsim::PageWalk w = walk(m, va);
            if (w.outcome == hostsim::PageWalk::Outcome::mapped) {
                const VirtAddr base = va & ~(w.page_size - 1);
                Cache cache = Cache::uncached;
                if (w.type == hostsim::MemoryType::wb) cache = Cache::write_back;
                if (w.type == hostsim::MemoryType::wc) cache = Cache::write_combining;
                add_run(runs, Run{base, base + w.page_size, w.phys & ~(w.page_size - 1),
                                  Rights{w.writable, w.executable, w.user}, cache, w.global, w.page_size});
                va = base + w.page_size;
            } else if (w.outcome == hostsim::PageWalk::Outcome::not_present && w.level >= 1 && w.level <= 4) {
                const std::uint64_t span = bytes_of_level(w.level);
                va = (va & ~(span - 1)) + span;
            } else {
                return m.check(false, "the walker finds a reserved bit or worse at %#llx",
                               static_cast<unsigned long long>(va));
            }
        }
        return true;
    }
};

// The readable report of a history no order explains: each CPU's calls with their times and answers, the
// longest order the search could build and the model's state after it, and the tables' final state.
std::string report(const Program& p, const std::vector<Event>& events, const std::vector<Piece>& pieces,
                   const kernel::mem::testing::lin::Result& r, const std::vector<Run>& kernel_runs) {
    char head[160];
    std::snprintf(
        head, sizeof head,
        "no order of the calls explains the history (W = %#llx, P = %#llx; %llu states searched%s)\n",
        static_cast<unsigned long long>(window), static_cast<unsigned long long>(phys_base),
        static_cast<unsigned long long>(r.states), r.gave_up ? ", gave up" : "");
    std::string s = head;
    s += "  before the CPUs start:\n";
    models::AddressSpace model;
    for (const Call& c : p.setup) {
        s += "    " + describe(c) + "\n";
        apply_call(model, c);
    }
    s += "  calls [invoked, returned] on the step clock:\n";
    for (std::size_t i = 0; i < events.size(); ++i) {
        const Event& e = events[i];
        s += "    cpu" + std::to_string(e.cpu) + " #" + std::to_string(i) + " [" + std::to_string(e.invoke) +
             ", " + std::to_string(e.response) + "] " + describe(e.call) + " -> " +
             describe(e.answer, e.call) + "\n";
    }
    s += "  longest explainable order:";
    for (std::size_t k : r.order) {
        s += " #" + std::to_string(pieces[k].event);
        if (pieces[k].split)
            s += "split";
        else if (pieces[k].bytes && pieces[k].bytes < events[pieces[k].event].call.bytes)
            s += "@" + std::to_string((pieces[k].va - events[pieces[k].event].call.va) >> 12) + "p";
        apply(model, events[pieces[k].event], pieces[k]);
    }
    s += "\n  the model after it:\n" + describe(runs_of(model));
    s += "  the tables at the end (walker):\n" + describe(kernel_runs);
    return s;
}

void run_program(Machine& m, const Program& p) {
    auto s = std::make_unique<Sim>();
    s->boot(m, ram_bytes);
    if (m.outcome().failed()) return;
    s->install_walker(m);
    m.run([&] {
        for (const Call& c : p.setup) s->perform(m, c);
    });
    s->events[0].clear();
    for (unsigned c = 0; c < p.cpus.size(); ++c) {
        m.start(c, [&, c] {
            m.load_root(s->table->root());
            arch::irq_enable(); // lookups and accesses run with interrupts on, as in the kernel and ring 3
            for (const Call& call : p.cpus[c]) s->perform(m, call);
        });
    }
    m.run();
    if (m.outcome().failed()) return;

    std::vector<Event> events;
    for (unsigned c = 0; c < p.cpus.size(); ++c)
        events.insert(events.end(), s->events[c].begin(), s->events[c].end());
    const std::vector<Piece> pieces = pieces_of(events);
    std::vector<Timing> timings;
    for (std::size_t k = 0; k < pieces.size(); ++k) {
        const Event& e = events[pieces[k].event];
        const bool chained = k > 0 && pieces[k - 1].event == pieces[k].event;
        timings.push_back({e.invoke, e.response, chained ? static_cast<int>(k - 1) : -1});
    }
    std::vector<Run> kernel_runs;
    if (!s->final_runs(m, kernel_runs)) return;
    models::AddressSpace initial;
    for (const Call& c : p.setup) apply_call(initial, c);
    const auto r = kernel::mem::testing::lin::check(
        timings, initial,
        [&](models::AddressSpace& model, std::size_t k) {
            return apply(model, events[pieces[k].event], pieces[k]);
        },
        state_key, [&](const models::AddressSpace& model) { return runs_of(model) == kernel_runs; });
    if (!r.linearizable) {
        // One line (failure lines are): the report's lines joined by " | ".
        std::string text = report(p, events, pieces, r, kernel_runs);
        text.pop_back();
        for (std::size_t i; (i = text.find("\n")) != std::string::npos;) {
            std::size_t j = i + 1;
            while (j < text.size() && text[j] == ' ') ++j;
            text.replace(i, j - i, " | ");
        }
        m.fail(hostsim::Verdict::check_failed, text);
        return;
    }
    s->teardown(m);
}

Scenario lin_scenario(std::string name, std::string description, unsigned cpus, Program (*program)(),
                      std::uint64_t runs) {
    Scenario sc;
    sc.name = std::move(name);
    sc.description = std::move(description);
    sc.config.cpus = cpus;
    sc.config.memory_bytes = ram_bytes;
    sc.config.step_budget = 400'000;
    sc.body = [program](Machine& m) { run_program(m, program()); };
    sc.plan = {{*hostsim::StrategySpec::parse("random"), runs},
               {*hostsim::StrategySpec::parse("pct3"), runs}};
    return sc;
}

// Random mixes: program seed, CPUs, calls per CPU.
template <std::uint64_t Seed, unsigned Cpus, unsigned Ops>
Program mix() {
    return random_program(Seed, Cpus, Ops);
}

std::string mix_description(unsigned cpus, unsigned ops) {
    return "linearizability: a random mix of " + std::to_string(ops) + " page-table calls on each of " +
           std::to_string(cpus) + " CPUs, checked against the address-space model";
}

[[maybe_unused]] const bool registered[] = {
    hostsim::register_scenario(
        lin_scenario("pagetable.lin.protect_vs_merge",
                     "linearizability: protect splitting a superpage while another CPU "
                     "maps a superpage over it (re-merge), with readers",
                     3, protect_against_merge, 150)),
    hostsim::register_scenario(
        lin_scenario("pagetable.lin.unmap_vs_split",
                     "linearizability: unmap inside superpages against protect and map "
                     "splitting and merging them, with TLB accesses",
                     3, unmap_against_split, 60)),
    hostsim::register_scenario(
        lin_scenario("pagetable.lin.mix1", mix_description(2, 4), 2, mix<1, 2, 4>, 100)),
    hostsim::register_scenario(
        lin_scenario("pagetable.lin.mix2", mix_description(3, 3), 3, mix<2, 3, 3>, 100)),
    hostsim::register_scenario(
        lin_scenario("pagetable.lin.mix3", mix_description(4, 2), 4, mix<3, 4, 2>, 100)),
    hostsim::register_scenario(
        lin_scenario("pagetable.lin.mix4", mix_description(3, 3), 3, mix<4, 3, 3>, 100)),
};

} // namespace
