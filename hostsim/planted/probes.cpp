// Probes for the TSan build (ctest sim.tsan.*; not part of the planted suite): TSan must report a data race
// between simulated CPUs on plain memory, including data handed over with only relaxed atomics, and must stay
// silent when the contract's release/acquire orders the accesses.
//
// hostsim's own work on a simulated CPU runs in TSan's ignore mode (hostsim/sanitizers.hpp). The probes
// handler_race, console_race and race_after_abandon check that this hides nothing of the simulated code: a
// race in the kernel's interrupt handler (which runs inside a scheduling point), on the kernel's buffer that
// the machine reads for console output, and in a run after one whose CPU was abandoned inside a scheduling
// point. shootdown_reuse_* check that a shootdown's acknowledgement orders a target's earlier accesses before
// the initiator's reuse of the memory, and only then.
#include "arch/atomic.hpp"
#include "arch/console.hpp"
#include "arch/ipi.hpp"
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

void handler_race(Machine& m) {
    int shared = 0;
    bool handled = false;
    arch::Atomic<int> ready{0}, done{0};
    m.set_interrupt_handler([&](unsigned) {
        shared = 1;
        handled = true;
    });
    m.start(0, [&] {
        arch::irq_enable();
        ready.store(1, MemoryOrder::release);
        // The IPI is taken at one of these scheduling points, inside hostsim's (ignored) work.
        while (!done.load(MemoryOrder::acquire)) arch::cpu_relax();
    });
    m.start(1, [&] {
        while (!ready.load(MemoryOrder::acquire)) arch::cpu_relax();
        arch::ipi_send(0, 0x40);
        shared = 2;
        done.store(1, MemoryOrder::release);
    });
    m.run();
    m.check(handled, "the IPI was never handled");
}

// A target reads memory standing for a page-table page, then takes a shootdown; the initiator reuses that
// memory. After the acknowledgement that is ordered (the protocol's release/acquire, Machine::shootdown): no
// report. Before the shootdown (`early`) it is a race TSan must report. Only relaxed atomics otherwise.
void shootdown_reuse(Machine& m, bool early) {
    int table = 5, seen = 0;
    arch::Atomic<int> walked{0}, done{0};
    m.start(1, [&] {
        seen = table; // a page-table walk, interrupts masked
        walked.store(1, MemoryOrder::relaxed);
        arch::irq_enable(); // the shootdown is taken at one of these scheduling points
        while (!done.load(MemoryOrder::relaxed)) arch::cpu_relax();
    });
    m.start(0, [&] {
        while (!walked.load(MemoryOrder::relaxed)) arch::cpu_relax();
        if (early) table = 0;
        m.shootdown(1u << 1, std::nullopt);
        if (!early) table = 0; // the table page reused
        done.store(1, MemoryOrder::relaxed);
    });
    m.run();
    m.check(seen == 5, "saw %d", seen);
}

void console_race(Machine& m) {
    char text[] = "probe\n";
    m.start(0, [&] { arch::console_write(text, sizeof text - 1); });
    m.start(1, [&] {
        arch::preemption_point();
        text[0] = 'P';
    });
    m.run();
}

void race_after_abandon(Machine& m) {
    bool woke = false;
    m.set_interrupt_handler([&](unsigned) { woke = true; });
    // CPU 1 has no code: the IPI wakes it, it idles in wait_for_interrupt and is abandoned there at the end.
    m.start(0, [] { arch::ipi_send(1, 0x40); });
    m.run();
    m.check(woke, "cpu1 never took the IPI");
    plain_race(m); // a second run on the same CPUs
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
    register_scenario({"probe.tsan_handler_race",
                       "an interrupt handler taken at a scheduling point races with another CPU (TSan must "
                       "report it)",
                       two_cpus(),
                       handler_race,
                       {},
                       Verdict::pass}),
    register_scenario({"probe.tsan_console_race",
                       "a CPU writes the buffer another CPU prints (TSan must report it)",
                       two_cpus(),
                       console_race,
                       {},
                       Verdict::pass}),
    register_scenario(
        {"probe.tsan_race_after_abandon",
         "two CPUs write one plain int in a run after one that abandoned a CPU (TSan must report "
         "it)",
         two_cpus(),
         race_after_abandon,
         {},
         Verdict::pass}),
    register_scenario({"probe.tsan_shootdown_reuse_before_ack",
                       "a page walked by another CPU reused before the shootdown (TSan must report it)",
                       two_cpus(),
                       [](Machine& m) { shootdown_reuse(m, true); },
                       {},
                       Verdict::pass}),
    register_scenario({"probe.tsan_shootdown_reuse_after_ack",
                       "a page walked by another CPU reused after its acknowledged shootdown (no report)",
                       two_cpus(),
                       [](Machine& m) { shootdown_reuse(m, false); },
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
