// The I/O-port contract on hostsim (arch/io_ports.hpp, hostsim/io_ports.hpp): keys and sets per CPU, the
// x86 rule that every byte of an access must be permitted, and io_shootdown's IPI protocol — targets keep
// their set until they take the request with interrupts enabled, the initiator waits for all of them, and an
// initiator waiting for a CPU that spins with interrupts masked is a deadlock with a replay line. (A target
// in ring 3 leaving it with `reenter` is checked with real user code in usermode/port_io_test.cpp.)
#include <gtest/gtest.h>

#include "arch/atomic.hpp"
#include "arch/cpu.hpp"
#include "arch/io_ports.hpp"
#include "hostsim/io_ports.hpp"
#include "hostsim/replay_line.hpp"
#include "hostsim/scenario_testing.hpp"

namespace hostsim {
namespace {

using test_support::explore_with;
using test_support::scenario;

constexpr std::uint32_t com1 = 0x3f8;

// Outside a machine: one CPU (CPU 0), on which the kernel's calls act directly.
TEST(IoPorts, KeysSelectLoadAndAllowOnTheSingleHostCpu) {
    reset_io_ports();
    EXPECT_TRUE(arch::io_select(0)); // key 0 is always held
    EXPECT_FALSE(io_permitted(0, com1, 1));
    EXPECT_FALSE(arch::io_select(7)); // never loaded
    arch::io_load(7);
    EXPECT_FALSE(io_permitted(0, com1, 1)); // an empty set, active
    arch::io_allow(com1, 8);
    EXPECT_TRUE(io_permitted(0, com1, 1));
    EXPECT_TRUE(io_permitted(0, com1 + 7, 1));
    EXPECT_TRUE(io_permitted(0, com1 + 4, 4));  // 0x3fc..0x3ff
    EXPECT_FALSE(io_permitted(0, com1 + 6, 4)); // 0x400, 0x401 missing
    EXPECT_FALSE(io_permitted(0, com1 - 1, 2)); // 0x3f7 missing
    EXPECT_FALSE(io_permitted(1, com1, 1));     // there is no CPU 1 here
    EXPECT_EQ(io_permissions(0).loaded, 7u);

    EXPECT_TRUE(arch::io_select(0)); // no port, but the set stays held ...
    EXPECT_FALSE(io_permitted(0, com1, 1));
    EXPECT_FALSE(arch::io_select(8)); // ... and a miss changes nothing
    EXPECT_FALSE(io_permitted(0, com1, 1));
    EXPECT_TRUE(arch::io_select(7)); // ... so selecting it again needs no load
    EXPECT_TRUE(io_permitted(0, com1, 1));

    arch::io_load(9); // a new set replaces the old one entirely
    arch::io_allow(0x60, 1);
    EXPECT_FALSE(io_permitted(0, com1, 1));
    EXPECT_TRUE(io_permitted(0, 0x60, 1));
    EXPECT_FALSE(arch::io_select(7));

    arch::io_shootdown(arch::CpuMask::only(0), 0x99);
    EXPECT_FALSE(io_permitted(0, 0x60, 1));
    EXPECT_FALSE(arch::io_select(9)); // dropped: the kernel must load again
    ASSERT_EQ(io_shootdowns().size(), 1u);
    EXPECT_EQ(io_shootdowns()[0].cpus.bits, 1u);
    EXPECT_EQ(io_shootdowns()[0].reenter, 0x99);
    reset_io_ports();
}

TEST(IoPorts, TheLastPortAndAccessesPastTheSpace) {
    reset_io_ports();
    arch::io_load(1);
    arch::io_allow(0xfffe, 2);
    EXPECT_TRUE(io_permitted(0, 0xfffe, 2));
    EXPECT_TRUE(io_permitted(0, 0xffff, 1));
    EXPECT_FALSE(io_permitted(0, 0xffff, 2)); // bit 0x10000 is the bitmap's trailing one: never permitted
    EXPECT_FALSE(io_permitted(0, 0xfffe, 4));
    reset_io_ports();
}

Config cpus(unsigned n, std::uint64_t budget = 20'000) {
    return test_support::cpus(n, budget);
}

// Each CPU holds its own set under its own key.
TEST(IoPorts, EachCpuHasItsOwnSet) {
    auto s = scenario("test.io_per_cpu", cpus(2), [](Machine& m) {
        arch::Atomic<int> loaded{0};
        m.start(0, [&] {
            arch::io_load(1);
            arch::io_allow(com1, 8);
            loaded.fetch_add(1);
            while (loaded.load() < 2) arch::cpu_relax();
            m.check(io_permitted(0, com1, 1) && !io_permitted(0, 0x60, 1), "cpu0's set");
            m.check(!io_permitted(1, com1, 1) && io_permitted(1, 0x60, 1), "cpu1's set seen from cpu0");
            m.check(!arch::io_select(2), "cpu0 holds cpu1's key");
        });
        m.start(1, [&] {
            arch::io_load(2);
            arch::io_allow(0x60, 1);
            loaded.fetch_add(1);
            m.check(!arch::io_select(1), "cpu1 holds cpu0's key");
        });
        m.run();
    });
    ExploreReport r = explore_with(s, "random", 50);
    EXPECT_FALSE(r.failed()) << r.failure_text();
}

// The target keeps its set while its interrupts are masked; the initiator does not return before the
// target took the request; enabling interrupts drops it; the initiator's own set goes at once.
TEST(IoPorts, AShootdownTakesEffectOnATargetOnlyWhenItEnablesInterrupts) {
    auto s = scenario("test.io_shootdown_masked_target", cpus(2), [](Machine& m) {
        arch::Atomic<int> ready{0}, enabled{0}, returned{0};
        m.start(0, [&] {
            arch::io_load(5);
            arch::io_allow(com1, 8);
            ready.store(1);
            while (!m.shootdown_pending(0)) arch::cpu_relax(); // masked: the request waits
            m.check(io_permitted(0, com1, 1), "the set went before the interrupt was taken");
            m.check(returned.load() == 0, "the initiator returned before the acknowledgement");
            enabled.store(1);
            arch::irq_enable(); // takes it here
            m.check(!io_permitted(0, com1, 1) && !m.shootdown_pending(0), "enabling did not take it");
            arch::irq_disable();
            m.check(!arch::io_select(5), "the dropped key is still held");
        });
        m.start(1, [&] {
            arch::io_load(6);
            arch::io_allow(0x60, 1);
            while (!ready.load()) arch::cpu_relax();
            arch::io_shootdown(arch::CpuMask{0b11}, 0x99);
            m.check(enabled.load() == 1, "io_shootdown returned before the target took it");
            m.check(!io_permitted(1, 0x60, 1), "the initiator kept its own set");
            returned.store(1);
        });
        m.run();
    });
    for (const char* strategy : {"dfs", "random", "pct3"}) {
        ExploreReport r = explore_with(s, strategy, 300);
        EXPECT_FALSE(r.failed()) << strategy << ": " << r.failure_text();
    }
}

// A target that is not in the mask keeps its set; CPUs without code (idle, interrupts on) drop theirs.
TEST(IoPorts, OnlyTheCpusInTheMaskDropTheirSets) {
    auto s = scenario("test.io_shootdown_mask", cpus(3), [](Machine& m) {
        arch::Atomic<int> ready{0}, done{0};
        m.start(1, [&] {
            arch::io_load(3);
            arch::io_allow(com1, 1);
            arch::irq_enable();
            ready.store(1);
            while (!done.load()) arch::cpu_relax();
            m.check(io_permitted(1, com1, 1), "cpu1 was not in the mask but lost its set");
        });
        m.start(0, [&] {
            while (!ready.load()) arch::cpu_relax();
            arch::io_shootdown(arch::CpuMask{0b101}, 0x99); // cpu2 never had code
            done.store(1);
        });
        m.run();
    });
    ExploreReport r = explore_with(s, "dfs", 500);
    EXPECT_FALSE(r.failed()) << r.failure_text();
}

// The deadlock of arch/tlb.hpp's rule, for I/O ports: the initiator holds a lock the target waits for with
// interrupts masked. Reported as a deadlock naming the wait, with a line that replays it.
TEST(IoPorts, AnInitiatorWaitingForAMaskedSpinnerIsADeadlockWithAReplayLine) {
    auto s = scenario("test.io_shootdown_masked_spinner", cpus(2), [](Machine& m) {
        arch::Atomic<int> lock{0};
        m.start(0, [&] {
            while (lock.exchange(1) != 0) arch::cpu_relax();
            arch::io_shootdown(arch::CpuMask::only(1), 0x99);
            lock.store(0);
        });
        m.start(1, [&] {
            while (lock.exchange(1) != 0) arch::cpu_relax(); // interrupts masked while it waits
            lock.store(0);
        });
        m.run();
    });
    for (const char* strategy : {"random", "pct3", "dfs"}) {
        ExploreReport r = explore_with(s, strategy, 500);
        ASSERT_TRUE(r.failed()) << strategy << " did not find it";
        EXPECT_EQ(r.failure.verdict, Verdict::deadlock) << r.failure_text();
        EXPECT_NE(r.failure.message.find("waits for I/O-port shootdown acknowledgements from cpu1"),
                  std::string::npos)
            << r.failure.message;
        EXPECT_NE(r.failure.message.find("with interrupts masked (a shootdown request pending)"),
                  std::string::npos)
            << r.failure.message;
        EXPECT_TRUE(r.nondeterminism.empty()) << r.nondeterminism;
        auto line = ReplayLine::parse(r.failure_text());
        ASSERT_TRUE(line) << r.failure_text();
        EXPECT_EQ(compare_outcomes(r.failure, replay(s, *line)), "") << strategy;
    }
}

} // namespace
} // namespace hostsim
