// Probes for the TSan build (ctest sim.tsan.*; not part of the planted suite): TSan must report a data race
// between simulated CPUs on plain memory, including data handed over with only relaxed atomics, and must stay
// silent when the contract's release/acquire orders the accesses.
#include "arch/atomic.hpp"
#include "hostsim/scenario.hpp"

namespace hostsim {
namespace {

using arch::MemoryOrder;

Config two_cpus() {
    Config c;
    c.cpus = 2;
    c.memory_bytes = 0;
    return c;
}

void handoff(Machine& m, MemoryOrder publish, MemoryOrder observe) {
    int data = 0;
    arch::Atomic<int> ready{0};
    int seen = -1;
    m.start(0, [&] {
        data = 42;
        ready.store(1, publish);
    });
    m.start(1, [&] {
        while (!ready.load(observe)) arch::cpu_relax();
        seen = data;
    });
    m.run();
    m.check(seen == 42, "saw %d", seen);
}

void plain_race(Machine& m) {
    int shared = 0;
    m.start(0, [&] { shared = 1; });
    m.start(1, [&] {
        arch::preemption_point();
        shared = 2;
    });
    m.run();
}

[[maybe_unused]] const bool registered[] = {
    register_scenario({"probe.tsan_plain_race",
                       "two CPUs write one plain int (TSan must report it)",
                       two_cpus(),
                       plain_race,
                       {},
                       Verdict::pass}),
    register_scenario({"probe.tsan_relaxed_handoff",
                       "data published with relaxed atomics (TSan must report it)",
                       two_cpus(),
                       [](Machine& m) { handoff(m, MemoryOrder::relaxed, MemoryOrder::relaxed); },
                       {},
                       Verdict::pass}),
    register_scenario({"probe.tsan_release_acquire_handoff",
                       "data published with release/acquire (no report)",
                       two_cpus(),
                       [](Machine& m) { handoff(m, MemoryOrder::release, MemoryOrder::acquire); },
                       {},
                       Verdict::pass}),
};

} // namespace
} // namespace hostsim
