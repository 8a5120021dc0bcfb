// The dispatcher's register convention (docs/abi.md "Register convention"), driven with raw registers.
#include <gtest/gtest.h>

#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"
#include "kernel/syscall/dispatch.hpp"
#include "kernel/syscall/testing/test_kernel.hpp"

namespace {

using namespace kernel;
using kernel::testing::TestKernel;
namespace spec = janus::abi;
using S = spec::Syscall;
using E = spec::Error;

SyscallRegs regs(S s, std::uint64_t rdi, std::uint64_t rsi, std::uint64_t rdx, std::uint64_t r10,
                 std::uint64_t r8, std::uint64_t r9) {
    SyscallRegs r;
    r.rax = static_cast<std::uint64_t>(s);
    r.rdi = rdi;
    r.rsi = rsi;
    r.rdx = rdx;
    r.r10 = r10;
    r.r8 = r8;
    r.r9 = r9;
    return r;
}

TEST(Dispatch, ArgumentsComeFromRdiRsiRdxR10R8InThatOrder) {
    TestKernel k;
    // thread_create(dest, pd, utcb, prio, cpu): prio is a3 (r10), cpu is a4 (r8).
    SyscallRegs r = regs(S::thread_create, 10, 1, 0x3000, 256, 0, 0);
    syscall(k.root_thread(), r);
    EXPECT_EQ(r.rax, static_cast<std::uint64_t>(E::invalid_argument)) << "priority 256 read from r10";
    r = regs(S::thread_create, 10, 1, 0x3000, 17, 99, 0);
    syscall(k.root_thread(), r);
    EXPECT_EQ(r.rax, static_cast<std::uint64_t>(E::invalid_argument)) << "CPU 99 read from r8";
    r = regs(S::thread_create, 10, 1, 0x3000, 17, 2, 0xdead);
    syscall(k.root_thread(), r);
    ASSERT_EQ(r.rax, 0u);
    Thread& t = k.at<Thread>(k.root(), 10);
    EXPECT_EQ(t.utcb, 0x3000u);
    EXPECT_EQ(t.priority, 17u);
    EXPECT_EQ(t.cpu, 2u);
}

TEST(Dispatch, ResultsGoToRdiRsiRdxAndTheOtherRegistersAreKept) {
    TestKernel k;
    SyscallRegs r = regs(S::cap_info, 1, 111, 222, 333, 444, 555);
    syscall(k.root_thread(), r);
    EXPECT_EQ(r.rax, 0u);
    EXPECT_EQ(r.rdi, static_cast<std::uint64_t>(ObjectType::pd));
    EXPECT_EQ(r.rsi, spec::rights::all);
    EXPECT_EQ(r.rdx, 0u);
    EXPECT_EQ(r.r10, 333u);
    EXPECT_EQ(r.r8, 444u);
    EXPECT_EQ(r.r9, 555u);

    r = regs(S::pd_quota, 7, 8, 9, 10, 11, 12);
    syscall(k.root_thread(), r);
    EXPECT_EQ(r.rax, 0u);
    EXPECT_EQ(r.rdi, std::uint64_t{1} << 20);
    EXPECT_EQ(r.rsi, 0u);
    EXPECT_EQ(r.rdx, 9u) << "pd_quota has two results; rdx is kept";
}

TEST(Dispatch, ASyscallWithoutResultsKeepsEveryArgumentRegister) {
    TestKernel k;
    SyscallRegs r = regs(S::endpoint_create, 10, 0x1111, 0x2222, 0x3333, 0x4444, 0x5555);
    syscall(k.root_thread(), r);
    EXPECT_EQ(r.rax, 0u);
    EXPECT_EQ(r.rdi, 10u);
    EXPECT_EQ(r.rsi, 0x1111u);
    EXPECT_EQ(r.rdx, 0x2222u);
    EXPECT_EQ(r.r9, 0x5555u);
}

TEST(Dispatch, AFailedSyscallWritesNoResults) {
    TestKernel k;
    SyscallRegs r = regs(S::cap_info, 200, 0xaaaa, 0xbbbb, 0, 0, 0);
    syscall(k.root_thread(), r);
    EXPECT_EQ(r.rax, static_cast<std::uint64_t>(E::bad_selector));
    EXPECT_EQ(r.rdi, 200u);
    EXPECT_EQ(r.rsi, 0xaaaau);
    EXPECT_EQ(r.rdx, 0xbbbbu);
}

TEST(Dispatch, EveryNumberTheSpecNamesReachesAHandlerAndNoOtherDoes) {
    TestKernel k;
    for (std::uint64_t n = 0; n < 64; ++n) {
        auto o = k.call(k.root_thread(), n, std::vector<std::uint64_t>{});
        EXPECT_EQ(o.status == E::bad_syscall, spec::find(n) == nullptr) << "number " << n;
    }
    EXPECT_TRUE(k.clean());
}

TEST(Dispatch, StatusAllowedFollowsTheSpecErrorLists) {
    for (const auto& s : spec::syscalls) {
        auto n = static_cast<std::uint64_t>(s.number);
        EXPECT_TRUE(status_allowed(n, E::ok));
        for (std::size_t e = 1; e < spec::error_count; ++e)
            EXPECT_EQ(status_allowed(n, static_cast<E>(e)), (s.error_mask >> e & 1) != 0)
                << s.name << " " << e;
    }
    EXPECT_TRUE(status_allowed(0, E::bad_syscall));
    EXPECT_FALSE(status_allowed(0, E::ok));
    EXPECT_FALSE(status_allowed(1000, E::bad_selector));
    EXPECT_FALSE(status_allowed(static_cast<std::uint64_t>(S::pd_quota), E::bad_syscall));
}

} // namespace
