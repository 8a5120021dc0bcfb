// arch::leave_user on hostsim (arch/user.hpp): the IPI protocol it shares with the shootdowns
// (cross_cpu.cpp). A target takes the request only with interrupts enabled; one in ring 3 then leaves it
// with the `reenter` vector; the initiator returns only when every target has taken it, and never waits for
// itself. The kernel relies on this before it rewrites or frees the frame another CPU runs ring 3 from
// (kernel/ipc/waits.cpp; kernel/entry/ipc_sim_test.cpp breaks without it).
#include <gtest/gtest.h>

#include <optional>

#include "arch/atomic.hpp"
#include "arch/cpu.hpp"
#include "arch/user.hpp"
#include "hostsim/scenario_testing.hpp"

namespace hostsim {
namespace {

using test_support::cpus;
using test_support::explore_with;
using test_support::scenario;

constexpr arch::Vector reenter = 0x55;

TEST(LeaveUser, ATargetInRing3TakesItOnlyWithInterruptsEnabledAndLeavesWithTheVector) {
    auto s = scenario("test.leave_user_masked_target", cpus(2), [](Machine& m) {
        arch::Atomic<int> ready{0}, enabled{0}, returned{0};
        m.start(0, [&] {
            m.set_in_user(true); // as run_user does while ring 3 runs
            ready.store(1);
            while (!m.shootdown_pending(0)) arch::cpu_relax(); // masked: the request waits
            m.check(returned.load() == 0, "leave_user returned before the acknowledgement");
            enabled.store(1);
            arch::irq_enable(); // takes it here
            arch::irq_disable();
            const std::optional<unsigned> vector = m.take_user_reentry();
            m.check(vector && *vector == reenter, "ring 3 was not sent back to the kernel with the vector");
            m.set_in_user(false);
        });
        m.start(1, [&] {
            while (!ready.load()) arch::cpu_relax();
            arch::leave_user(arch::CpuMask{0b11}, reenter); // itself included: it must not wait for itself
            m.check(enabled.load() == 1, "leave_user returned before the target took it");
            m.check(!m.take_user_reentry(), "the initiator sent itself out of a user mode it is not in");
            returned.store(1);
        });
        m.run();
    });
    for (const char* strategy : {"dfs", "random", "pct3"}) {
        ExploreReport r = explore_with(s, strategy, 300);
        EXPECT_FALSE(r.failed()) << strategy << ": " << r.failure_text();
    }
}

// A target in the kernel (spinning with interrupts open, as lock_kernel does) acknowledges and stays where it
// is: there is no ring 3 to leave.
TEST(LeaveUser, ATargetInTheKernelAcknowledgesWithoutAReentry) {
    auto s = scenario("test.leave_user_kernel_target", cpus(2), [](Machine& m) {
        arch::Atomic<int> done{0};
        m.start(0, [&] {
            arch::irq_enable();
            while (!done.load()) arch::cpu_relax();
            arch::irq_disable();
            m.check(!m.take_user_reentry(), "a CPU outside ring 3 was given a reentry");
        });
        m.start(1, [&] {
            arch::leave_user(arch::CpuMask::only(0), reenter);
            done.store(1);
        });
        m.run();
    });
    ExploreReport r = explore_with(s, "random", 100);
    EXPECT_FALSE(r.failed()) << r.failure_text();
}

// A target that never enables interrupts while the initiator waits is a deadlock, reported as one.
TEST(LeaveUser, ATargetSpinningWithInterruptsMaskedIsADeadlock) {
    auto s = scenario("test.leave_user_deadlock", cpus(2), [](Machine& m) {
        arch::Atomic<int> done{0};
        m.start(0, [&] {
            while (!done.load()) arch::cpu_relax(); // masked for ever
        });
        m.start(1, [&] {
            arch::leave_user(arch::CpuMask::only(0), reenter);
            done.store(1);
        });
        m.run();
    });
    ExploreReport r = explore_with(s, "random", 5);
    ASSERT_TRUE(r.failed());
    EXPECT_NE(r.failure_text().find("leave-user"), std::string::npos) << r.failure_text();
}

} // namespace
} // namespace hostsim
