// How the root task's run ends (root_session.hpp), against the rules in docs/user.md and docs/abi.md: the
// exit convention ends it only from the root domain; an unhandled exception of the root's first thread ends
// it as a crash; everything else is the kernel's ordinary exception delivery.
#include <gtest/gtest.h>

#include "kernel/boot_root/root_session.hpp"
#include "kernel/syscall/testing/test_kernel.hpp"

namespace kernel {
namespace {

namespace spec = janus::abi;
using S = spec::Syscall;
using testing::TestKernel;

class NoRunner final : public UserRunner {
public:
    arch::UserExit run(arch::UserFrame&, arch::AddressSpaceRoot) override {
        ADD_FAILURE() << "these tests run no user code";
        return {};
    }
};

arch::UserExit exception(arch::Vector vector) {
    return arch::UserExit{arch::UserExit::Kind::exception, vector, 0, 0};
}

struct SessionTest : ::testing::Test {
    TestKernel k;
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

} // namespace
} // namespace kernel
