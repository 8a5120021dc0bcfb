// How the root task's run ends (root_session.hpp), against the rules in docs/user.md and docs/abi.md: the
// exit convention ends it only from the root domain; an unhandled exception of the root's first thread ends
// it as a crash; everything else is the kernel's ordinary exception delivery.
#include <gtest/gtest.h>

#include <vector>

#include "hostsim/machine.hpp"
#include "kernel/boot_root/root_session.hpp"
#include "kernel/sched/vectors.hpp"
#include "kernel/syscall/testing/test_kernel.hpp"

namespace kernel {
namespace {

namespace spec = janus::abi;
using S = spec::Syscall;
using testing::TestKernel;

class NoRunner final : public UserRunner {
public:
    arch::UserExit run(arch::UserFrame&, arch::AddressSpaceRoot, const arch::SyscallHook*) override {
        ADD_FAILURE() << "these tests run no user code";
        return {};
    }
};

arch::UserExit exception(arch::Vector vector) {
    return arch::UserExit{arch::UserExit::Kind::exception, vector, 0, 0};
}

/// One CPU: ending the run has nobody to tell (SessionKicks below has two).
struct SessionTest : ::testing::Test {
    static testing::Options one_cpu() {
        testing::Options o;
        o.cpus = 1;
        return o;
    }
    TestKernel k{one_cpu()};
    NoRunner runner;
    RootSession session{k.kernel(), runner};
};

TEST_F(SessionTest, TheExitConventionFromTheRootTaskEndsTheRunWithItsStatus) {
    Thread& t = k.root_thread();
    t.frame.rax = 0x4a616e7573586974; // "JanusXit", docs/user.md
    t.frame.rdi = 3;
    EXPECT_TRUE(session.exception(t, exception(6)));
    EXPECT_TRUE(session.finished());
    EXPECT_EQ(session.end(), RootSession::End::exited);
    EXPECT_EQ(session.status(), 3);
}

TEST_F(SessionTest, AnyThreadOfTheRootDomainMayEndTheRun) {
    k.ok(S::thread_create, {10, spec::root_sel::pd, 0x20000, 100, 0});
    Thread& t = k.at<Thread>(k.root(), 10);
    t.frame.rax = spec::exit_marker;
    t.frame.rdi = 0;
    EXPECT_TRUE(session.exception(t, exception(6)));
    EXPECT_EQ(session.end(), RootSession::End::exited);
    EXPECT_EQ(session.status(), 0);
}

TEST_F(SessionTest, TheExitConventionFromAnotherDomainIsAnOrdinaryException) {
    Thread& child = k.child_with_thread(20, 1 << 16);
    child.frame.rax = spec::exit_marker;
    EXPECT_FALSE(session.exception(child, exception(6)));
    EXPECT_FALSE(session.finished());
}

TEST_F(SessionTest, AnInvalidOpcodeWithoutTheMarkerIsACrashOfTheFirstThread) {
    Thread& t = k.root_thread();
    t.frame.rax = spec::exit_marker + 1;
    EXPECT_TRUE(session.exception(t, exception(6)));
    EXPECT_EQ(session.end(), RootSession::End::crashed);
}

TEST_F(SessionTest, AnUnhandledFaultOfTheFirstThreadEndsTheRunAsACrash) {
    EXPECT_TRUE(session.exception(k.root_thread(), exception(13)));
    EXPECT_EQ(session.end(), RootSession::End::crashed);
}

TEST_F(SessionTest, AFirstThreadWithAnExceptionHandlerGetsOrdinaryDelivery) {
    k.ok(S::endpoint_create, {10});
    k.ok(S::thread_configure, {spec::root_sel::thread, 0, 10});
    EXPECT_FALSE(session.exception(k.root_thread(), exception(13)));
    EXPECT_FALSE(session.finished());
}

TEST_F(SessionTest, APageFaultGoesToThePagerButOtherFaultsDoNot) {
    k.ok(S::endpoint_create, {10});
    k.ok(S::thread_configure, {spec::root_sel::thread, 10, 0});
    EXPECT_FALSE(session.exception(k.root_thread(), exception(14)));
    EXPECT_FALSE(session.finished());
    EXPECT_TRUE(session.exception(k.root_thread(), exception(0)));
    EXPECT_EQ(session.end(), RootSession::End::crashed);
}

TEST_F(SessionTest, FaultsOfOtherRootThreadsGoToTheKernel) {
    k.ok(S::thread_create, {10, spec::root_sel::pd, 0x20000, 100, 0});
    EXPECT_FALSE(session.exception(k.at<Thread>(k.root(), 10), exception(13)));
    EXPECT_FALSE(session.finished());
}

/// The CPU that sees the run end kicks every other CPU once, so a run loop asleep in its idle wait wakes up
/// and notices the end too.
TEST(SessionKicks, TheCpuThatSeesTheEndKicksTheOthersOnce) {
    testing::Options o;
    o.cpus = 2;
    TestKernel k(o);
    NoRunner runner;
    RootSession session(k.kernel(), runner);
    hostsim::Config config;
    config.cpus = 2;
    hostsim::Machine m(config);
    std::vector<unsigned> cpu1_took;
    m.set_interrupt_handler([&](unsigned v) {
        if (m.cpu_id() == 1) cpu1_took.push_back(v);
    });
    bool first = false, again = false, before = true;
    m.start(0, [&] {
        before = session.finished();
        Thread& t = k.root_thread();
        t.frame.rax = spec::exit_marker;
        t.frame.rdi = 0;
        session.exception(t, exception(6));
        first = session.finished();
        again = session.finished();
    });
    m.start(1, [&] {
        arch::irq_enable();
        while (cpu1_took.empty()) arch::wait_for_interrupt();
    });
    ASSERT_TRUE(m.run()) << m.outcome().message;
    EXPECT_FALSE(before);
    EXPECT_TRUE(first);
    EXPECT_TRUE(again);
    EXPECT_EQ(cpu1_took, std::vector<unsigned>{sched::vector_resched});
}

} // namespace
} // namespace kernel
