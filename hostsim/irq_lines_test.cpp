// hostsim's interrupt lines (hostsim/irq_lines.hpp, arch/irq_lines.hpp): line 0, the legacy periodic timer,
// ticks on CPU 0 every 10 ms of virtual time while unmasked and never while masked; other lines have no
// source. Expected values come from the contract (irq_line_timer_hz, irq_line_vector_base), not from the
// machine.
#include <gtest/gtest.h>

#include <vector>

#include "arch/atomic.hpp"
#include "arch/cpu.hpp"
#include "arch/ipi.hpp"
#include "arch/irq_lines.hpp"
#include "arch/timer.hpp"
#include "hostsim/explorer.hpp"
#include "hostsim/irq_lines.hpp"

namespace hostsim {
namespace {

constexpr std::uint64_t period = 1'000'000'000 / arch::irq_line_timer_hz;
constexpr arch::Vector line0 = arch::irq_line_vector_base + arch::irq_line_timer;
constexpr arch::Vector marker = 0x40; // a one-shot timer that ends the quiet phase

struct Arrival {
    arch::Vector vector;
    arch::CpuId cpu;
    std::uint64_t time;
};
// Written by the handler (on CPU 0); other CPUs read only `recorded`, its size published with release.
std::vector<Arrival> arrivals;
arch::Atomic<std::size_t> recorded{0};

void record(arch::Vector v) {
    arrivals.push_back({v, arch::cpu_id(), arch::time_now()});
    recorded.store(arrivals.size(), arch::MemoryOrder::release);
}

Scenario scenario(const char* name, unsigned cpus, ScenarioBody body) {
    Scenario s;
    s.name = name;
    s.config.cpus = cpus;
    s.config.memory_bytes = 0;
    s.body = std::move(body);
    return s;
}

void expect_pass(const Scenario& s) {
    ExploreOptions o;
    o.strategy = *StrategySpec::parse("random");
    o.runs = 3;
    ExploreReport r = explore(s, o);
    EXPECT_FALSE(r.failed()) << r.failure_text();
}

TEST(IrqLines, LineZeroTicksOnCpuZeroEveryPeriodWhileUnmasked) {
    expect_pass(scenario("test.irq_line_ticks", 2, [](Machine& m) {
        reset_irq_lines();
        arrivals.clear();
        recorded.store(0);
        std::uint64_t unmasked_at = 0, masked_at = 0;
        // CPU 1 unmasks and masks: the ticks still go to CPU 0, which only idles.
        m.start(0, [] {
            arch::set_interrupt_handler(record);
            arch::irq_enable();
            while (arrivals.empty() || arrivals.back().vector != marker) arch::wait_for_interrupt();
        });
        m.start(1, [&] {
            arch::irq_disable();
            unmasked_at = arch::time_now();
            arch::irq_line_unmask(arch::irq_line_timer);
            while (recorded.load(arch::MemoryOrder::acquire) < 3) arch::cpu_relax();
            arch::irq_line_mask(arch::irq_line_timer);
            masked_at = arch::time_now();
            arch::ipi_send(0, marker); // once CPU 0 sleeps through 5 more periods in quiet, it may stop
        });
        m.run();
        m.check(irq_lines_unmasked() == 0, "mask %#x after the run", irq_lines_unmasked());
        std::size_t ticks = 0;
        for (const Arrival& a : arrivals) {
            if (a.vector == marker) continue;
            ++ticks;
            const std::uint64_t due = unmasked_at + period * ticks;
            m.check(a.vector == line0 && a.cpu == 0, "vector %u on cpu%u", a.vector, a.cpu);
            m.check(a.time >= due && a.time < due + period / 4, "tick %zu at %llu, due at %llu", ticks,
                    (unsigned long long)a.time, (unsigned long long)due);
            m.check(a.time <= masked_at + period / 4, "a tick at %llu after the mask at %llu",
                    (unsigned long long)a.time, (unsigned long long)masked_at);
        }
        m.check(ticks >= 3, "%zu ticks", ticks);
    }));
}

TEST(IrqLines, AMaskedLineAndLinesWithoutASourceStayQuiet) {
    expect_pass(scenario("test.irq_line_quiet", 1, [](Machine& m) {
        reset_irq_lines();
        arrivals.clear();
        m.start(0, [] {
            arch::set_interrupt_handler(record);
            arch::irq_line_unmask(5); // no device behind it
            arch::irq_line_unmask(arch::irq_line_timer);
            arch::irq_line_mask(arch::irq_line_timer);
            arch::timer_arm(arch::time_now() + 5 * period, marker);
            arch::irq_enable();
            while (arrivals.empty()) arch::wait_for_interrupt();
        });
        m.run();
        m.check(arrivals.size() == 1 && arrivals[0].vector == marker, "%zu arrivals, first vector %u",
                arrivals.size(), arrivals.empty() ? 0u : unsigned{arrivals[0].vector});
        m.check(irq_lines_unmasked() == 1u << 5, "mask %#x: line 5 unmasked alone", irq_lines_unmasked());
        arch::irq_line_mask(5);
    }));
    EXPECT_EQ(irq_lines_unmasked(), 0u);
}

} // namespace
} // namespace hostsim
