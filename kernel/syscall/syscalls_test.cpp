// Each syscall's effect when it succeeds, through the real dispatcher. Expected values come from the ABI
// (docs/abi.md: charges, rights, results), not from the kernel's own constants.
#include <gtest/gtest.h>

#include "kernel/obj/endpoint.hpp"
#include "kernel/obj/irq.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"
#include "kernel/syscall/testing/test_kernel.hpp"

namespace {

using namespace kernel;
using kernel::testing::Outcome;
using kernel::testing::TestKernel;
namespace spec = janus::abi;
namespace R = spec::rights;
using S = spec::Syscall;
using E = spec::Error;
constexpr std::uint64_t all = 0x1f; // "all rights": bits 0..4
constexpr std::uint64_t root_pd = 1, root_thread = 2, irq_control = 3;

struct Info {
    std::uint64_t type, rights, badge;
    bool operator==(const Info&) const = default;
};
Info info(TestKernel& k, std::uint64_t sel, Thread* t = nullptr) {
    Outcome o = k.ok(t ? *t : k.root_thread(), S::cap_info, {sel});
    return {o.r[0], o.r[1], o.r[2]};
}
std::uint64_t type(ObjectType t) {
    return static_cast<std::uint64_t>(t);
}
// The first UTCB in an empty address space needs three page-table pages below the top level, paid by the
// domain the thread runs in (docs/abi.md, page_table).
constexpr std::uint64_t first_utcb_tables = 3 * 4096;

std::pair<std::uint64_t, std::uint64_t> quota(TestKernel& k, Thread* t = nullptr) {
    Outcome o = k.ok(t ? *t : k.root_thread(), S::pd_quota, {});
    return {o.r[0], o.r[1]};
}

TEST(Boot, RootHoldsItselfItsThreadAndTheDeviceControlsAndOwesNothing) {
    TestKernel k;
    EXPECT_EQ(info(k, 1), (Info{type(ObjectType::pd), all, 0}));
    EXPECT_EQ(info(k, 2), (Info{type(ObjectType::thread), all, 0}));
    EXPECT_EQ(info(k, 3), (Info{type(ObjectType::irq_control), all, 0}));
    EXPECT_EQ(info(k, 4), (Info{type(ObjectType::io_control), all, 0}));
    EXPECT_EQ(info(k, 5), (Info{type(ObjectType::mmio_control), all, 0}));
    EXPECT_EQ(k.call(S::cap_info, {6}).status, E::bad_selector) << "nothing else at boot";
    EXPECT_EQ(quota(k), std::make_pair(std::uint64_t{1} << 20, std::uint64_t{0}));
    EXPECT_EQ(k.object_at(k.root(), 2), &k.root_thread());
}

TEST(PdCreate, ChargesTheCreatorMovesTheQuotaAndInstallsEveryRight) {
    TestKernel k;
    auto [limit, used] = quota(k);
    k.ok(S::pd_create, {10, 5000 + first_utcb_tables, 5});
    EXPECT_EQ(info(k, 10), (Info{type(ObjectType::pd), all, 0}));
    EXPECT_EQ(quota(k), std::make_pair(limit - 5000 - first_utcb_tables, used + 4096 + 32 * 32 + 4096));
    Pd& child = k.at<Pd>(k.root(), 10);
    EXPECT_EQ(child.space.size(), 32u);
    k.ok(S::thread_create, {11, 10, 0x2000, 7, 1});
    Thread& t = k.at<Thread>(k.root(), 11);
    EXPECT_EQ(quota(k, &t), std::make_pair(5000 + first_utcb_tables, first_utcb_tables));
}

TEST(PdCreate, AQuotaOfZeroAndTheSmallestAndLargestSpacesWork) {
    TestKernel k;
    k.ok(S::pd_create, {10, 0, 4});
    k.ok(S::pd_create, {11, 0, 12});
    EXPECT_EQ(k.at<Pd>(k.root(), 11).space.size(), 4096u);
}

TEST(ThreadCreate, MakesAThreadInTheTargetDomainPaidByTheCaller) {
    TestKernel k;
    k.ok(S::pd_create, {10, first_utcb_tables, 4}); // the target pays the UTCB's page tables
    auto before = quota(k);
    k.ok(S::thread_create, {11, 10, 0x7fff'ffff'f000, 255, 3});
    EXPECT_EQ(info(k, 11), (Info{type(ObjectType::thread), all, 0}));
    EXPECT_EQ(quota(k).second, before.second + 1024 + 4096 + 4096 + 128)
        << "thread + utcb + extended_state + reply";
    Thread& t = k.at<Thread>(k.root(), 11);
    EXPECT_EQ(t.pd, &k.at<Pd>(k.root(), 10));
    EXPECT_EQ(t.utcb, 0x7fff'ffff'f000u) << "the highest user page is a valid UTCB";
    EXPECT_EQ(t.priority, 255u);
    EXPECT_EQ(t.cpu, 3u);
    // The same UTCB address is free in another domain.
    k.ok(S::thread_create, {12, root_pd, 0x7fff'ffff'f000, 0, 0});
}

TEST(ThreadConfigure, SetsAndClearsPagerAndExceptionHandler) {
    TestKernel k;
    k.ok(S::endpoint_create, {10});
    k.ok(S::cap_copy, {10, root_pd, 11, R::read, 5}); // no write needed, badge 5
    k.ok(S::thread_configure, {root_thread, 11, 10});
    Thread& t = k.root_thread();
    auto& ep = k.at<Endpoint>(k.root(), 10);
    EXPECT_EQ(t.pager.target(), &ep);
    EXPECT_EQ(t.pager.tag(), 5u);
    EXPECT_EQ(t.exception_handler.target(), &ep);
    EXPECT_EQ(t.exception_handler.tag(), 0u);
    k.ok(S::thread_configure, {root_thread, 0, 11});
    EXPECT_EQ(t.pager.target(), nullptr);
    EXPECT_EQ(t.exception_handler.tag(), 5u);
    k.ok(S::thread_configure, {root_thread, 0, 0});
    EXPECT_EQ(t.exception_handler.target(), nullptr);
}

TEST(EndpointCreate, MakesAnUnbadgedEndpointChargedToTheCaller) {
    TestKernel k;
    auto before = quota(k);
    k.ok(S::endpoint_create, {10});
    EXPECT_EQ(info(k, 10), (Info{type(ObjectType::endpoint), all, 0}));
    EXPECT_EQ(quota(k).second, before.second + 128);
}

TEST(NotificationCreate, MakesANotificationWithNoBitsChargedToTheCaller) {
    TestKernel k;
    auto before = quota(k);
    k.ok(S::notification_create, {10});
    EXPECT_EQ(info(k, 10), (Info{type(ObjectType::notification), all, 0}));
    EXPECT_EQ(k.at<Notification>(k.root(), 10).bits, 0u);
    EXPECT_EQ(quota(k).second, before.second + 128);
}

TEST(IrqCreate, MakesOneIrqPerLineForEveryLine) {
    TestKernel k;
    auto before = quota(k);
    for (std::uint64_t line = 0; line < 24; ++line) k.ok(S::irq_create, {10 + line, irq_control, line});
    EXPECT_EQ(info(k, 33), (Info{type(ObjectType::irq), all, 0}));
    EXPECT_EQ(k.at<Irq>(k.root(), 33).line, 23u);
    EXPECT_EQ(quota(k).second, before.second + 24 * 128);
}

TEST(IrqBind, BindsToANotificationBitAndRebinds) {
    TestKernel k;
    k.ok(S::irq_create, {10, irq_control, 3});
    k.ok(S::notification_create, {11});
    k.ok(S::notification_create, {12});
    k.ok(S::cap_copy, {12, root_pd, 13, R::write, 0});
    k.ok(S::irq_bind, {10, 11, 63});
    auto& irq = k.at<Irq>(k.root(), 10);
    EXPECT_EQ(irq.notification.target(), k.object_at(k.root(), 11));
    EXPECT_EQ(irq.notification.tag(), 63u);
    k.ok(S::irq_bind, {10, 13, 0}); // write is enough
    EXPECT_EQ(irq.notification.target(), k.object_at(k.root(), 12));
    EXPECT_EQ(irq.notification.tag(), 0u);
}

TEST(CapCopy, MakesAChildWithFewerRightsAndABadge) {
    TestKernel k;
    k.ok(S::endpoint_create, {10});
    k.ok(S::cap_copy, {10, root_pd, 11, R::write | R::grant, 0xbeef});
    EXPECT_EQ(info(k, 11), (Info{type(ObjectType::endpoint), R::write | R::grant, 0xbeef}));
    k.ok(S::cap_copy, {11, root_pd, 12, R::write, 0}); // a copy of a badged capability keeps the badge
    EXPECT_EQ(info(k, 12), (Info{type(ObjectType::endpoint), R::write, 0xbeef}));
    k.ok(S::cap_copy, {10, root_pd, 13, 0, 0}); // no rights at all is a subset too
    EXPECT_EQ(info(k, 13).rights, 0u);
    EXPECT_EQ(k.object_at(k.root(), 10)->cap_count, 4u);
}

TEST(CapCopy, IntoAnotherDomainLandsInItsSpace) {
    TestKernel k;
    Thread& t = k.child_with_thread(10, first_utcb_tables, 4);
    k.ok(S::notification_create, {20});
    k.ok(S::cap_copy, {20, 10, 15, R::read, 0});
    EXPECT_EQ(info(k, 15, &t), (Info{type(ObjectType::notification), R::read, 0}));
    EXPECT_EQ(k.call(S::cap_info, {15}).status, E::bad_selector) << "not in the caller's own space";
}

TEST(CapGrant, MovesTheCapabilityAndDerivedOnesLoseWhatItLost) {
    TestKernel k;
    Thread& t = k.child_with_thread(10, first_utcb_tables, 4);
    k.ok(S::endpoint_create, {20});
    k.ok(S::cap_copy, {20, root_pd, 21, R::read | R::write | R::grant, 0});
    k.ok(S::cap_copy, {21, root_pd, 22, R::read | R::write, 0});
    k.ok(S::cap_grant, {21, 10, 5, R::read | R::grant});
    EXPECT_EQ(k.call(S::cap_info, {21}).status, E::bad_selector) << "the source slot is empty";
    EXPECT_EQ(info(k, 5, &t), (Info{type(ObjectType::endpoint), R::read | R::grant, 0}));
    EXPECT_EQ(info(k, 22).rights, R::read) << "derived from the granted capability: write is gone";
    // It kept its place: revoking it from the child removes 22 in the root.
    k.ok(t, S::cap_revoke, {5});
    EXPECT_EQ(k.call(S::cap_info, {22}).status, E::bad_selector);
    EXPECT_EQ(k.object_at(k.root(), 20)->cap_count, 2u);
}

TEST(CapGrant, MovingARootCapabilityKeepsTheObjectAlive) {
    TestKernel k;
    k.ok(S::endpoint_create, {20});
    k.ok(S::cap_grant, {20, root_pd, 30, all});
    EXPECT_EQ(info(k, 30).type, type(ObjectType::endpoint));
    k.ok(S::cap_delete, {30});
    EXPECT_EQ(quota(k).second, 0u) << "deleting the moved root destroyed the endpoint";
}

TEST(CapRevoke, RemovesDescendantsButNotTheCapabilityOrSiblingsAbove) {
    TestKernel k;
    k.ok(S::endpoint_create, {10});
    k.ok(S::cap_copy, {10, root_pd, 11, all, 0});
    k.ok(S::cap_copy, {11, root_pd, 12, all, 0});
    k.ok(S::cap_copy, {12, root_pd, 13, all, 0});
    k.ok(S::cap_copy, {10, root_pd, 14, all, 0});
    k.ok(S::cap_revoke, {11});
    EXPECT_EQ(info(k, 11).type, type(ObjectType::endpoint));
    EXPECT_EQ(k.call(S::cap_info, {12}).status, E::bad_selector);
    EXPECT_EQ(k.call(S::cap_info, {13}).status, E::bad_selector);
    EXPECT_EQ(info(k, 14).type, type(ObjectType::endpoint));
    k.ok(S::cap_revoke, {root_thread}); // revoking one's own thread capability destroys nothing
    EXPECT_EQ(info(k, root_thread).type, type(ObjectType::thread));
}

TEST(CapDelete, TheLastCapabilityDestroysTheObjectAndRefundsItsCharge) {
    TestKernel k;
    k.ok(S::notification_create, {10});
    k.ok(S::cap_copy, {10, root_pd, 11, all, 0});
    k.ok(S::cap_delete, {10}); // the root: the copy goes with it
    EXPECT_EQ(k.call(S::cap_info, {11}).status, E::bad_selector);
    EXPECT_EQ(quota(k).second, 0u);
}

TEST(CapDelete, ACopyOfTheCallersOwnThreadOrDomainMayGo) {
    TestKernel k;
    k.ok(S::cap_copy, {root_thread, root_pd, 10, all, 0});
    k.ok(S::cap_copy, {root_pd, root_pd, 11, all, 0});
    k.ok(S::cap_delete, {10});
    k.ok(S::cap_delete, {11});
    EXPECT_EQ(info(k, root_thread).type, type(ObjectType::thread));
}

TEST(CapDelete, IrqControlCanBeGivenUp) {
    TestKernel k;
    k.ok(S::cap_delete, {irq_control});
    EXPECT_EQ(k.kernel().irq_control, nullptr);
}

TEST(CapInfo, ReportsTypeRightsAndBadgeOfEveryKind) {
    TestKernel k;
    k.ok(S::endpoint_create, {10});
    k.ok(S::cap_copy, {10, root_pd, 11, R::read, ~std::uint64_t{0}});
    EXPECT_EQ(info(k, 11), (Info{type(ObjectType::endpoint), R::read, ~std::uint64_t{0}}));
}

TEST(PdQuota, UsedFollowsCreationAndDeletion) {
    TestKernel k;
    k.ok(S::endpoint_create, {10});
    k.ok(S::notification_create, {11});
    EXPECT_EQ(quota(k).second, 256u);
    k.ok(S::cap_delete, {10});
    EXPECT_EQ(quota(k).second, 128u);
}

TEST(PdQuota, ExhaustionIsExactToTheByte) {
    kernel::testing::Options o;
    o.quota = 3 * 128;
    TestKernel k(o);
    k.ok(S::endpoint_create, {10});
    k.ok(S::endpoint_create, {11});
    k.ok(S::endpoint_create, {12});
    EXPECT_EQ(quota(k), std::make_pair(std::uint64_t{384}, std::uint64_t{384}));
    EXPECT_EQ(k.call(S::endpoint_create, {13}).status, E::quota_exhausted);
    k.ok(S::cap_delete, {11});
    k.ok(S::endpoint_create, {13});
}

TEST(MemMap, WellFormedArgumentsFindNothingMappedYet) {
    TestKernel k;
    EXPECT_EQ(k.call(S::mem_map, {spec::fpage::make(0x2000, 12, R::read), root_pd, 0x5000, 0}).status,
              E::not_mapped);
}

TEST(MemUnmap, WellFormedArgumentsSucceedWithNothingToRemove) {
    TestKernel k;
    k.ok(S::mem_unmap, {spec::fpage::make(0x200000, 21, 0), spec::unmap_self});
    k.ok(S::mem_unmap, {spec::fpage::make(0x7fff'ffe0'0000, 21, 0), 0});
}

} // namespace
