// Benchmark (./janus bench): schedules explored per second. The micro test is the usual yardstick of
// schedule explorers: two CPUs, each doing a few atomic operations on shared counters, checked at the end.
// Kernel paths come from registered scenarios (kernel page-table races) when they are linked in.
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

void measure(const char* label, const Scenario& s, const char* strategy, std::uint64_t runs,
             bool tso = false) {
    ExploreOptions o;
    o.strategy = *StrategySpec::parse(strategy);
    o.runs = runs;
    o.tso = tso;
    explore(s, o); // warm up: stacks, caches
    ExploreReport r = explore(s, o);
    if (r.failed()) {
        std::printf("%-44s %-8s FAILED: %s\n", label, strategy, r.failure_text().c_str());
        return;
    }
    std::printf("%-44s %-8s %10.0f schedules/s (%llu runs%s in %.2f s)\n", label, strategy,
                static_cast<double>(r.runs) / r.seconds, static_cast<unsigned long long>(r.runs),
                r.exhausted ? ", exhaustive" : "", r.seconds);
}

} // namespace

int main(int argc, char** argv) {
    std::uint64_t runs = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200000;
    Scenario s = micro();
    measure("sim micro: 2 CPUs, 5 atomics", s, "random", runs);
    measure("sim micro: 2 CPUs, 5 atomics", s, "pct3", runs);
    measure("sim micro: 2 CPUs, 5 atomics, x86-TSO", s, "random", runs, true);
    // Kernel paths: every registered scenario of a kernel module (not planted, not probes).
    for (const Scenario* k : all_scenarios()) {
        if (k->name.starts_with("planted.") || k->name.starts_with("probe.")) continue;
        std::string label = "sim kernel: " + k->name;
        measure(label.c_str(), *k, "random", runs / 20);
    }
    return 0;
}
