// Benchmark (./janus bench): schedules explored per second, distinct traces per second, and how long the
// explorer takes to find each planted bug. The micro test is the usual yardstick of schedule explorers: two
// CPUs, each doing a few atomic operations on shared counters, checked at the end. Kernel paths are the
// registered scenarios of kernel modules (the page-table races,
// kernel/mem/testing/page_table_sim_scenarios.cpp). Aims (issue 6): 100,000 schedules/s on the micro test
// (Relacy does 450,000-600,000 on such a test on this machine kind), 10,000/s on kernel paths (issue 15),
// every planted bug found in under 10 s.
//
// Distinct traces: schedules that differ only in the order of independent steps are one Mazurkiewicz trace
// (hostsim/strategy_trace.hpp); what a schedule explorer buys with its time is traces. For random, pct and
// dfs the runs are made again with their traces followed (the same seeds give the same runs) and the
// distinct ones counted, over the time of the plain exploration; dpor follows them anyway and runs each trace
// once (its other runs are pruned part way).
#include <chrono>
#include <cstdio>
#include <cstring>

#include "arch/atomic.hpp"
#include "hostsim/explorer.hpp"

namespace {

using namespace hostsim;

Scenario micro() {
    Scenario s;
    s.name = "bench.micro";
    s.config.cpus = 2;
    s.config.memory_bytes = 0;
    s.body = [](Machine& m) {
        arch::Atomic<int> x{0}, y{0};
        m.start(0, [&] {
            x.fetch_add(1);
            y.store(1, arch::MemoryOrder::release);
            x.fetch_add(1);
        });
        m.start(1, [&] {
            if (y.load(arch::MemoryOrder::acquire)) x.fetch_add(1);
            x.fetch_add(1);
        });
        m.run();
        m.check(x.raw() >= 3, "x=%d", x.raw());
    };
    return s;
}

void measure(const char* label, const Scenario& s, const char* strategy, std::uint64_t runs, bool tso = false,
             const char* note = "") {
    ExploreOptions o;
    o.strategy = *StrategySpec::parse(strategy);
    o.runs = runs;
    o.tso = tso;
    explore(s, o); // warm up: stacks, caches
    // An enumeration that ends early is repeated until the time is long enough to measure.
    ExploreReport r;
    double seconds = 0;
    std::uint64_t explorations = 0;
    do {
        r = explore(s, o);
        seconds += r.seconds;
        ++explorations;
    } while (r.exhausted && !r.failed() && seconds < 0.2);
    if (r.failed()) {
        std::printf("%-44s %-8s FAILED: %s\n", label, strategy, r.failure_text().c_str());
        return;
    }
    std::uint64_t distinct = r.distinct;
    if (o.strategy.kind != StrategySpec::Kind::dpor) {
        o.count_traces = true;
        distinct = explore(s, o).distinct;
    }
    const double per_exploration = seconds / static_cast<double>(explorations);
    std::printf("%-44s %-8s %9.0f schedules/s %9.0f distinct traces/s (%llu runs%s of %llu points: %llu "
                "traces%s; %.3f s)%s\n",
                label, strategy, static_cast<double>(r.runs) / per_exploration,
                static_cast<double>(distinct) / per_exploration, static_cast<unsigned long long>(r.runs),
                r.exhausted ? ", exhaustive" : "", static_cast<unsigned long long>(r.steps / r.runs),
                static_cast<unsigned long long>(distinct),
                r.pruned ? (", " + std::to_string(r.pruned) + " pruned").c_str() : "", per_exploration, note);
}

// A planted bug under its own plan (the budget `./janus sim planted` gives it): the run that found it and the
// wall-clock time to get there.
void time_to_find(const Scenario& bug) {
    const Budget& b = bug.plan.front();
    ExploreOptions o;
    o.strategy = b.strategy;
    o.runs = b.runs;
    o.recheck = false; // time to find, not to re-check
    ExploreReport r = explore(bug, o);
    std::string label = "sim planted: " + bug.name;
    if (!r.failed()) {
        std::printf("%-44s %-8s NOT FOUND in %llu runs (%.3f s)\n", label.c_str(), b.strategy.name().c_str(),
                    static_cast<unsigned long long>(r.runs), r.seconds);
        return;
    }
    std::printf("%-44s %-8s found in run %llu after %.4f s (%s)\n", label.c_str(), b.strategy.name().c_str(),
                static_cast<unsigned long long>(r.failing_run) + 1, r.seconds,
                verdict_name(r.failure.verdict));
}

} // namespace

int main(int argc, char** argv) {
    std::uint64_t runs = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200000;
    Scenario s = micro();
    measure("sim micro: 2 CPUs, 5 atomics", s, "random", runs, false, "  [Relacy: 450000-600000]");
    measure("sim micro: 2 CPUs, 5 atomics", s, "pct3", runs);
    measure("sim micro: 2 CPUs, 5 atomics", s, "dfs", runs);
    measure("sim micro: 2 CPUs, 5 atomics", s, "dpor", runs);
    measure("sim micro: 2 CPUs, 5 atomics, x86-TSO", s, "random", runs, true);
    // Kernel paths: every registered scenario of a kernel module (not planted, not probes).
    unsigned kernel_paths = 0;
    for (const Scenario* k : all_scenarios()) {
        // usermode.* boot the ring-3 suite: bench_usermode measures them.
        if (k->name.starts_with("planted.") || k->name.starts_with("probe.") ||
            k->name.starts_with("usermode."))
            continue;
        std::string label = "sim kernel: " + k->name;
        measure(label.c_str(), *k, "random", runs / 200);
        measure(label.c_str(), *k, "dfs", runs / 400);  // how many distinct traces plain enumeration reaches
        measure(label.c_str(), *k, "dpor", runs / 400); // and with the reduction
        ++kernel_paths;
    }
    if (kernel_paths == 0) std::printf("sim kernel: no kernel scenario is linked into bench_sim\n");
    // The planted bugs (each with a fixed version, which is not timed).
    for (const Scenario* p : all_scenarios()) {
        if (p->name.starts_with("planted.") && p->expect != Verdict::pass && !p->plan.empty())
            time_to_find(*p);
    }
    return kernel_paths == 0 ? 1 : 0;
}
