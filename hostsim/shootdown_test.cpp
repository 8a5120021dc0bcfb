// The shootdown, IPI and timer model against the hardware protocol (Machine::shootdown, hostsim/README.md):
// a target keeps its cached translations until it takes the request with interrupts enabled; the initiator
// returns only after every acknowledgement; an initiator waiting for a CPU that spins or sleeps with
// interrupts masked is reported (deadlock or livelock) with a replay line, never a hang; a timer that falls
// due while interrupts are masked stays pending. Written against the Machine API alone: nothing planted in
// kernel code.
#include <gtest/gtest.h>

#include "arch/atomic.hpp"
#include "arch/cpu.hpp"
#include "arch/timer.hpp"
#include "arch/tlb.hpp"
#include "hostsim/explorer.hpp"
#include "hostsim/replay_line.hpp"
#include "hostsim/scenario_testing.hpp"
#include "hostsim/tlb_contract.hpp"

namespace hostsim {
namespace {

using test_support::explore_with;
using test_support::scenario;

/// Small runs: a deadlock these tests plant must be reported long before 20,000 points.
Config cpus(unsigned n, std::uint64_t budget = 20'000) {
    return test_support::cpus(n, budget);
}

// A one-level toy page table: entry i maps page i to entry & ~0xfff when bit 0 is set.
struct ToyTables {
    arch::Atomic<std::uint64_t> pte[4]{};
    std::uint64_t generation[16] = {}; // per frame number, bumped when the frame is freed

    void install(Machine& m) {
        m.set_walker([this](std::uint64_t, std::uint64_t va) -> std::optional<Translation> {
            std::uint64_t e = peek(&pte[(va >> 12) & 3]);
            if (!(e & 1) || va >= 4 * 4096) return std::nullopt;
            return Translation{e & ~0xfffull, 4096, access::read | access::write, false};
        });
        m.set_frame_generation([this](std::uint64_t frame) { return generation[(frame >> 12) & 15]; });
    }
};

constexpr std::uint64_t va = 0x2000, frame = 0x7000;

// The target's interrupts are masked from the request on until it enables them: in between its entry stays
// cached and usable, and the initiator has not returned; enabling them drops it and lets the initiator go.
TEST(Shootdown, AMaskedTargetKeepsItsEntriesUntilItEnablesInterrupts) {
    auto s = scenario("test.shootdown_masked_target", cpus(2), [](Machine& m) {
        ToyTables t;
        t.install(m);
        t.pte[va >> 12].store(frame | 1);
        arch::Atomic<int> cached{0}, enabled{0}, returned{0};
        m.start(0, [&] {
            m.check(m.translate(va, access::read) == frame, "no first translation");
            cached.store(1);
            while (!m.shootdown_pending(0)) arch::cpu_relax(); // masked: the request waits
            m.check(m.tlb(0).size() == 1, "the entry went before the interrupt was taken");
            m.check(m.translate(va, access::read) == frame, "the cached entry is not usable any more");
            m.check(returned.load() == 0, "the initiator returned before the acknowledgement");
            enabled.store(1);
            arch::irq_enable(); // takes the request here
            m.check(m.tlb(0).size() == 0 && !m.shootdown_pending(0), "enabling did not take the request");
            arch::irq_disable();
            m.check(!m.translate(va, access::read), "a dropped entry still translates");
        });
        m.start(1, [&] {
            while (!cached.load()) arch::cpu_relax();
            t.pte[va >> 12].store(0);
            arch::tlb_shootdown(arch::CpuMask::only(0), 1,
                                arch::TlbScope{arch::TlbScope::Kind::range, va, va + 4096});
            m.check(enabled.load() == 1, "the shootdown returned before the target took it");
            returned.store(1);
            ++t.generation[frame >> 12]; // freed: safe now
        });
        m.run();
    });
    for (const char* strategy : {"dfs", "random", "pct3"}) {
        ExploreReport r = explore_with(s, strategy, 300);
        EXPECT_FALSE(r.failed()) << strategy << ": " << r.failure_text();
    }
}

// An initiator that frees the frame before the acknowledgements (here: it does not wait at all, a missing
// shootdown as far as the target is concerned) leaves the target a stale entry, reported when it is used.
TEST(Shootdown, UsingAnEntryAfterItsFrameWasFreedBeforeTheAcknowledgementIsAStaleTranslation) {
    auto s = scenario("test.shootdown_free_before_ack", cpus(2), [](Machine& m) {
        ToyTables t;
        t.install(m);
        t.pte[va >> 12].store(frame | 1);
        arch::Atomic<int> freed{0};
        m.start(0, [&] {
            m.translate(va, access::read);
            while (!freed.load()) arch::cpu_relax();
            m.translate(va, access::read); // still masked: the request has not been taken
        });
        m.start(1, [&] {
            t.pte[va >> 12].store(0);
            ++t.generation[frame >> 12]; // freed before the shootdown
            freed.store(1);
            m.shootdown(1u << 0, va);
        });
        m.run();
    });
    ExploreReport r = explore_with(s, "random", 300);
    ASSERT_TRUE(r.failed());
    EXPECT_EQ(r.failure.verdict, Verdict::stale_translation) << r.failure_text();
    EXPECT_TRUE(r.nondeterminism.empty()) << r.nondeterminism;
}

// The deadlock of issue 16: CPU 0 holds a lock and shoots down CPU 1, which waits for that lock spinning with
// interrupts masked. Found by every strategy as a deadlock, with a line that replays it.
TEST(Shootdown, AnInitiatorWaitingForAMaskedSpinnerIsADeadlockWithAReplayLine) {
    auto s = scenario("test.shootdown_masked_spinner", cpus(2), [](Machine& m) {
        arch::Atomic<int> lock{0};
        m.start(0, [&] {
            while (lock.exchange(1) != 0) arch::cpu_relax();
            m.shootdown(1u << 1, std::nullopt);
            lock.store(0);
        });
        m.start(1, [&] {
            for (;;) { // no irq_enable while it waits: the plant of issue 16
                if (lock.exchange(1) == 0) break;
                arch::cpu_relax();
            }
            lock.store(0);
        });
        m.run();
    });
    for (const char* strategy : {"random", "pct3", "dfs"}) {
        ExploreReport r = explore_with(s, strategy, 500);
        ASSERT_TRUE(r.failed()) << strategy << " did not find it";
        EXPECT_EQ(r.failure.verdict, Verdict::deadlock) << r.failure_text();
        EXPECT_NE(r.failure.message.find("waits for TLB shootdown acknowledgements from cpu1"),
                  std::string::npos)
            << r.failure.message;
        EXPECT_NE(r.failure.message.find("with interrupts masked (a shootdown request pending)"),
                  std::string::npos)
            << r.failure.message;
        ASSERT_TRUE(r.line);
        EXPECT_TRUE(r.nondeterminism.empty()) << r.nondeterminism;
        // The printed line replays the same failure.
        auto line = ReplayLine::parse(r.failure_text());
        ASSERT_TRUE(line) << r.failure_text();
        EXPECT_EQ(compare_outcomes(r.failure, replay(s, *line)), "") << strategy;
    }
    // The same with the spinner enabling interrupts while it waits (kernel::sched::lock_kernel): no failure.
    auto fixed = scenario("test.shootdown_open_spinner", cpus(2), [](Machine& m) {
        arch::Atomic<int> lock{0};
        m.start(0, [&] {
            while (lock.exchange(1) != 0) arch::cpu_relax();
            m.shootdown(1u << 1, std::nullopt);
            lock.store(0);
        });
        m.start(1, [&] {
            while (lock.exchange(1) != 0) {
                arch::irq_enable();
                arch::cpu_relax();
                arch::irq_disable();
            }
            lock.store(0);
        });
        m.run();
    });
    for (const char* strategy : {"random", "pct3", "dfs"}) {
        ExploreReport r = explore_with(fixed, strategy, 500);
        EXPECT_FALSE(r.failed()) << strategy << ": " << r.failure_text();
    }
}

// Two initiators with interrupts masked wait for each other: a deadlock. With interrupts enabled while they
// wait, each takes the other's request and both return.
TEST(Shootdown, TwoMaskedInitiatorsDeadlockAndTwoOpenOnesDoNot) {
    for (bool open : {false, true}) {
        auto s = scenario("test.shootdown_crossed", cpus(2), [open](Machine& m) {
            for (unsigned c = 0; c < 2; ++c)
                m.start(c, [&m, c, open] {
                    if (open) arch::irq_enable();
                    m.shootdown(1u << (1 - c), std::nullopt);
                });
            m.run();
        });
        ExploreReport r = explore_with(s, "dfs", 1000);
        if (open) {
            EXPECT_FALSE(r.failed()) << r.failure_text();
        } else {
            ASSERT_TRUE(r.failed());
            EXPECT_EQ(r.failure.verdict, Verdict::deadlock) << r.failure_text();
        }
    }
}

// A target halted with interrupts masked (wait_for_interrupt returns for a pending interrupt, as sti; hlt
// would take it, but this loop never enables them): a deadlock at once, not the step budget.
TEST(Shootdown, AnInitiatorWaitingForAMaskedSleeperIsADeadlock) {
    auto s = scenario("test.shootdown_masked_sleeper", cpus(2, 5'000), [](Machine& m) {
        arch::Atomic<int> asleep{0};
        m.start(0, [&] {
            while (!asleep.load()) arch::cpu_relax();
            m.shootdown(1u << 1, std::nullopt);
        });
        m.start(1, [&] {
            asleep.store(1);
            for (;;) arch::wait_for_interrupt();
        });
        m.run();
    });
    for (const char* strategy : {"random", "pct3", "dfs"}) {
        ExploreReport r = explore_with(s, strategy, 20);
        ASSERT_TRUE(r.failed());
        EXPECT_EQ(r.failure.verdict, Verdict::deadlock) << r.failure_text();
        EXPECT_NE(
            r.failure.message.find("cpu1 sleeps in wait_for_interrupt without ever enabling interrupts"),
            std::string::npos)
            << r.failure.message;
        EXPECT_LT(r.failure.steps, 100u);
    }
}

// A target whose code returned, or a CPU without code, idles with interrupts enabled: it acknowledges.
TEST(Shootdown, FinishedAndIdleCpusAcknowledge) {
    auto s = scenario("test.shootdown_idle", cpus(3), [](Machine& m) {
        ToyTables t;
        t.install(m);
        t.pte[va >> 12].store(frame | 1);
        arch::Atomic<int> done{0};
        m.start(1, [&] {
            m.translate(va, access::read);
            done.store(1);
        });
        m.start(0, [&] {
            while (!done.load()) arch::cpu_relax();
            m.shootdown(0b111, std::nullopt); // cpu1 finished or about to, cpu2 never had code
        });
        m.run();
        m.check(m.tlb(1).size() == 0, "the finished CPU kept its entry");
    });
    ExploreReport r = explore_with(s, "dfs", 1000);
    EXPECT_FALSE(r.failed()) << r.failure_text();
}

// A request to a target that spins with interrupts enabled is taken at its next scheduling point; a range
// shootdown drops exactly its pages and the initiator's own entries at once.
TEST(Shootdown, ARangeReachesAnOpenSpinnerAndTheInitiatorItself) {
    auto s = scenario("test.shootdown_range", cpus(2), [](Machine& m) {
        ToyTables t;
        t.install(m);
        for (unsigned i = 0; i < 4; ++i) t.pte[i].store((frame + i * 4096) | 1);
        arch::Atomic<int> ready{0}, done{0};
        m.start(1, [&] {
            for (unsigned i = 0; i < 4; ++i) m.translate(i * 4096, access::read);
            arch::irq_enable();
            ready.store(1);
            while (!done.load()) arch::cpu_relax();
        });
        m.start(0, [&] {
            for (unsigned i = 0; i < 4; ++i) m.translate(i * 4096, access::read);
            while (!ready.load()) arch::cpu_relax();
            arch::tlb_shootdown(arch::CpuMask{0b11}, 1,
                                arch::TlbScope{arch::TlbScope::Kind::range, 4096, 3 * 4096});
            m.check(m.tlb(0).size() == 2 && m.tlb(1).size() == 2, "tlb sizes %zu and %zu after the shootdown",
                    m.tlb(0).size(), m.tlb(1).size());
            done.store(1);
        });
        m.run();
    });
    ExploreReport r = explore_with(s, "dfs", 2000);
    EXPECT_FALSE(r.failed()) << r.failure_text();
}

// The lost-shootdown plant (hostsim/tlb_contract.hpp) still reaches only the asking CPU.
TEST(Shootdown, PlantedLostShootdownsStillReachOnlyTheAskingCpu) {
    auto s = scenario("test.shootdown_lost", cpus(2), [](Machine& m) {
        ToyTables t;
        t.install(m);
        t.pte[va >> 12].store(frame | 1);
        arch::Atomic<int> cached{0};
        m.start(1, [&] {
            m.translate(va, access::read);
            cached.store(1);
            arch::irq_enable();
            for (int i = 0; i < 4; ++i) arch::preemption_point();
            m.translate(va, access::read);
        });
        m.start(0, [&] {
            while (!cached.load()) arch::cpu_relax();
            t.pte[va >> 12].store(0);
            plant_lost_shootdowns(true);
            arch::tlb_shootdown(arch::CpuMask{0b11}, 1, arch::TlbScope{arch::TlbScope::Kind::all, 0, 0});
            plant_lost_shootdowns(false);
            ++t.generation[frame >> 12];
        });
        m.run();
    });
    ExploreReport r = explore_with(s, "random", 300);
    ASSERT_TRUE(r.failed());
    EXPECT_EQ(r.failure.verdict, Verdict::stale_translation) << r.failure_text();
}

// Timer interrupts: one that falls due while the CPU has interrupts masked stays pending, and is taken when
// it enables them.
TEST(Timer, ADeadlinePassedWhileMaskedStaysPendingUntilInterruptsAreEnabled) {
    auto s = scenario("test.timer_masked", cpus(1), [](Machine& m) {
        static unsigned taken;
        taken = 0;
        m.start(0, [&] {
            arch::set_interrupt_handler([](arch::Vector) { ++taken; });
            const std::uint64_t deadline = arch::time_now() + 100;
            arch::timer_arm(deadline, 0x30);
            while (arch::time_now() < deadline + 100) arch::preemption_point();
            m.check(taken == 0, "the timer was delivered while masked");
            arch::irq_enable();
            m.check(taken == 1, "enabling did not deliver the timer (%u)", taken);
        });
        m.run();
    });
    ExploreReport r = explore_with(s, "random", 1);
    EXPECT_FALSE(r.failed()) << r.failure_text();
}

} // namespace
} // namespace hostsim
