// The simulated machine: CPU identity, deadlock and livelock detection, spinning, shutdown, interrupts, IPIs
// and the virtual-time timer.
#include <gtest/gtest.h>

#include "arch/atomic.hpp"
#include "arch/cpu.hpp"
#include "arch/ipi.hpp"
#include "arch/timer.hpp"
#include "hostsim/explorer.hpp"
#include "hostsim/scenario_testing.hpp"

namespace hostsim {
namespace {

using arch::MemoryOrder;

using test_support::cpus;
using test_support::explore_with;
using test_support::scenario;

// A test-and-test-and-set spinlock written against the contract.
struct Lock {
    arch::Atomic<int> held{0};
    void lock() {
        while (held.exchange(1, MemoryOrder::acquire))
            while (held.load(MemoryOrder::relaxed)) arch::cpu_relax();
    }
    void unlock() { held.store(0, MemoryOrder::release); }
};

TEST(Machine, EachCpuKnowsItsIdAndTheCount) {
    Machine m(cpus(4));
    unsigned id[4] = {9, 9, 9, 9}, count[4] = {};
    for (unsigned c = 0; c < 4; ++c)
        m.start(c, [&, c] {
            arch::preemption_point();
            id[c] = arch::cpu_id();
            count[c] = arch::cpu_count();
        });
    EXPECT_TRUE(m.run());
    for (unsigned c = 0; c < 4; ++c) {
        EXPECT_EQ(id[c], c);
        EXPECT_EQ(count[c], 4u);
    }
}

TEST(Machine, RunningTwiceReusesTheCpus) {
    Machine m(cpus(2));
    int total = 0;
    for (int round = 0; round < 3; ++round) {
        arch::Atomic<int> n{0};
        m.start(0, [&] { n.fetch_add(1); });
        m.start(1, [&] { n.fetch_add(2); });
        EXPECT_TRUE(m.run());
        total += n.raw();
    }
    EXPECT_EQ(total, 9);
}

TEST(Machine, LockOrderInversionIsADeadlock) {
    auto s = scenario("test.lock_order", cpus(2), [](Machine& m) {
        Lock a, b;
        m.start(0, [&] {
            a.lock();
            b.lock();
            b.unlock();
            a.unlock();
        });
        m.start(1, [&] {
            b.lock();
            a.lock();
            a.unlock();
            b.unlock();
        });
        m.run();
    });
    ExploreReport r = explore_with(s, "dfs1", 1000);
    ASSERT_TRUE(r.failed());
    EXPECT_EQ(r.failure.verdict, Verdict::deadlock) << r.failure_text();
    EXPECT_NE(r.failure.message.find("spins"), std::string::npos) << r.failure.message;
    EXPECT_LT(r.failure.steps, 100u) << "a deadlock is recognised at once, not by the step budget";
}

TEST(Machine, SpinningWaitsForTheOtherCpuWithoutBlowingTheBudget) {
    Config c = cpus(2);
    c.step_budget = 400;
    auto s = scenario("test.spin", c, [](Machine& m) {
        arch::Atomic<int> flag{0};
        m.start(0, [&] {
            while (!flag.load(MemoryOrder::acquire)) arch::cpu_relax();
        });
        m.start(1, [&] {
            for (int i = 0; i < 100; ++i) arch::preemption_point();
            flag.store(1, MemoryOrder::release);
        });
        m.run();
    });
    for (const char* strategy : {"random", "pct3", "dfs1"}) {
        ExploreReport r = explore_with(s, strategy, 300);
        EXPECT_FALSE(r.failed()) << r.failure_text();
    }
}

TEST(Machine, SpinningForSomethingThatNeverComesIsADeadlock) {
    auto s = scenario("test.spin_forever", cpus(2), [](Machine& m) {
        arch::Atomic<int> flag{0};
        m.start(0, [&] {
            while (!flag.load()) arch::cpu_relax();
        });
        m.start(1, [&] { arch::preemption_point(); });
        m.run();
    });
    ExploreReport r = explore_with(s, "random", 10);
    ASSERT_TRUE(r.failed());
    EXPECT_EQ(r.failure.verdict, Verdict::deadlock);
}

TEST(Machine, ALoopWithoutCpuRelaxIsALivelockAtTheBudget) {
    Config c = cpus(1);
    c.step_budget = 1000;
    auto s = scenario("test.loop", c, [](Machine& m) {
        m.start(0, [] {
            for (;;) arch::preemption_point();
        });
        m.run();
    });
    ExploreReport r = explore_with(s, "random", 1);
    ASSERT_TRUE(r.failed());
    EXPECT_EQ(r.failure.verdict, Verdict::livelock);
    EXPECT_EQ(r.failure.steps, 1001u);
}

TEST(Machine, SleepingWithNothingToWakeIsADeadlock) {
    auto s = scenario("test.sleep", cpus(1), [](Machine& m) {
        m.start(0, [] { arch::wait_for_interrupt(); });
        m.run();
    });
    ExploreReport r = explore_with(s, "random", 1);
    ASSERT_TRUE(r.failed());
    EXPECT_EQ(r.failure.verdict, Verdict::deadlock);
    EXPECT_NE(r.failure.message.find("wait_for_interrupt"), std::string::npos);
}

TEST(Machine, ShutdownStopsEveryCpuAndReportsTheStatus) {
    Machine m(cpus(2));
    bool after = false;
    m.start(0, [&] {
        for (;;) arch::cpu_relax(); // abandoned where it is
    });
    m.start(1, [&] {
        arch::preemption_point();
        arch::shutdown(arch::ExitStatus::panic);
        after = true;
    });
    EXPECT_FALSE(m.run());
    EXPECT_FALSE(after);
    EXPECT_EQ(m.outcome().verdict, Verdict::kernel_stopped);
    ASSERT_TRUE(m.outcome().exit_status);
    EXPECT_EQ(*m.outcome().exit_status, arch::ExitStatus::panic);
    // The machine runs again after a reset, on the same stacks.
    m.reset();
    int n = 0;
    m.start(0, [&] { n = 1; });
    EXPECT_TRUE(m.run());
    EXPECT_EQ(n, 1);
}

TEST(Machine, ShutdownWithSuccessIsNoFailure) {
    Machine m(cpus(1));
    EXPECT_EQ(m.run([] { arch::shutdown(arch::ExitStatus::success); }), arch::ExitStatus::success);
    EXPECT_FALSE(m.outcome().failed());
}

// The handler records which CPU took which vector; state for it lives in statics (a plain function pointer).
struct Taken {
    static inline arch::Atomic<int> count{0};
    static inline unsigned cpu = 99, vector = 0;
    static void handler(arch::Vector v) {
        cpu = arch::cpu_id();
        vector = v;
        count.fetch_add(1);
    }
};

TEST(Machine, AnIpiWakesASleepingCpuAndRunsTheHandlerThere) {
    auto s = scenario("test.ipi", cpus(2), [](Machine& m) {
        Taken::count.store(0);
        Taken::cpu = 99;
        m.start(0, [] { arch::ipi_send(1, 0x40); });
        m.start(1, [] {
            arch::set_interrupt_handler(Taken::handler);
            arch::irq_enable();
            while (Taken::count.load() == 0) arch::wait_for_interrupt();
        });
        m.run();
        m.check(Taken::cpu == 1 && Taken::vector == 0x40, "handler ran on cpu%u with vector %#x", Taken::cpu,
                Taken::vector);
    });
    ExploreReport r = explore_with(s, "dfs", 1000);
    EXPECT_FALSE(r.failed()) << r.failure_text();
    EXPECT_TRUE(r.exhausted);
}

TEST(Machine, AnIpiWaitsWhileInterruptsAreMasked) {
    auto s = scenario("test.masked", cpus(2), [](Machine& m) {
        arch::Atomic<int> sent{0};
        Taken::count.store(0);
        m.start(0, [&] {
            arch::ipi_send(1, 0x41);
            sent.store(1);
        });
        m.start(1, [&] {
            arch::set_interrupt_handler(Taken::handler);
            // Interrupts start masked, as after boot.
            while (!sent.load()) arch::cpu_relax();
            m.check(Taken::count.load() == 0, "delivered while masked");
            arch::IrqGuard still_masked;
            arch::preemption_point();
            m.check(Taken::count.load() == 0, "delivered inside an IrqGuard");
        });
        m.run();
        m.check(Taken::count.raw() == 0, "delivered although cpu1 never enabled interrupts");
    });
    ExploreReport r = explore_with(s, "dfs", 1000);
    EXPECT_FALSE(r.failed()) << r.failure_text();

    auto enable = scenario("test.enable", cpus(1), [](Machine& m) {
        Taken::count.store(0);
        m.start(0, [&] {
            arch::set_interrupt_handler(Taken::handler);
            arch::ipi_send(0, 0x42);
            m.check(Taken::count.load() == 0, "delivered while masked");
            arch::irq_enable(); // delivers at once
            int n = Taken::count.raw();
            m.check(n == 1, "irq_enable did not deliver the pending IPI (%d)", n);
        });
        m.run();
    });
    r = explore_with(enable, "random", 1);
    EXPECT_FALSE(r.failed()) << r.failure_text();
}

TEST(Machine, TheTimerFiresAtItsVirtualDeadline) {
    auto s = scenario("test.timer", cpus(1), [](Machine& m) {
        Taken::count.store(0);
        std::uint64_t start = 0, woke = 0;
        m.start(0, [&] {
            arch::set_interrupt_handler(Taken::handler);
            start = arch::time_now();
            arch::timer_arm(start + 1'000'000, 0x20);
            arch::irq_enable();
            while (Taken::count.load() == 0) arch::wait_for_interrupt();
            woke = arch::time_now();
        });
        m.run();
        m.check(Taken::vector == 0x20, "vector %#x", Taken::vector);
        m.check(woke >= start + 1'000'000, "woke at %llu, armed for %llu", (unsigned long long)woke,
                static_cast<unsigned long long>(start) + 1'000'000);
        m.check(woke < start + 1'100'000, "overslept to %llu", (unsigned long long)woke);
    });
    ExploreReport r = explore_with(s, "random", 1);
    EXPECT_FALSE(r.failed()) << r.failure_text();
}

TEST(Machine, AnInterruptWithoutHandlerIsReported) {
    Machine m(cpus(1));
    m.start(0, [] {
        arch::ipi_send(0, 0x50);
        arch::irq_enable();
    });
    EXPECT_FALSE(m.run());
    EXPECT_NE(m.outcome().message.find("no interrupt handler"), std::string::npos);
}

TEST(Machine, ChecksOnACpuStopTheRunThere) {
    Machine m(cpus(2));
    bool reached = false;
    m.start(0, [&] {
        m.check(1 + 1 == 3, "arithmetic");
        reached = true;
    });
    EXPECT_FALSE(m.run());
    EXPECT_FALSE(reached);
    EXPECT_EQ(m.outcome().message, "arithmetic");
}

} // namespace
} // namespace hostsim
