// Object lifetimes through the real dispatcher: who dies with whom, and where the memory goes.
// Expected charges come from the ABI's charge table (docs/abi.md), never from the kernel's own constants.
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
using S = spec::Syscall;
using E = spec::Error;
constexpr std::uint64_t all = spec::rights::all;

// pd_create(cap_order) costs the creator pd + 2^order slots + the top-level page table.
constexpr std::uint64_t pd_cost(unsigned order) {
    return 4096 + (32u << order) + 4096;
}
constexpr std::uint64_t thread_cost = 1024 + 4096 + 4096 + 128;
// The first UTCB in an empty address space needs three page-table pages below the top level (a page-directory
// pointer table, a page directory, a page table), which the domain the thread runs in pays (docs/abi.md).
constexpr std::uint64_t first_utcb_tables = 3 * 4096;

std::pair<std::uint64_t, std::uint64_t> quota_of(TestKernel& k, Thread& t) {
    Outcome o = k.ok(t, S::pd_quota, {});
    return {o.r[0], o.r[1]};
}

TEST(Lifetime, DeletingADomainsLastCapabilityDestroysItsThreadsAndObjectsAndRefundsTheCreator) {
    TestKernel k;
    auto before = quota_of(k, k.root_thread());
    Thread& t = k.child_with_thread(10, 20000, 6);
    k.ok(t, S::endpoint_create, {1});
    k.ok(t, S::notification_create, {2});
    auto during = quota_of(k, k.root_thread());
    EXPECT_EQ(during.first, before.first - 20000);
    EXPECT_EQ(during.second, before.second + pd_cost(6) + thread_cost);
    EXPECT_EQ(quota_of(k, t), std::make_pair(std::uint64_t{20000}, first_utcb_tables + 128 + 128));

    std::size_t pages = k.pages().outstanding();
    k.ok(S::cap_delete, {10});
    EXPECT_EQ(quota_of(k, k.root_thread()), before) << "limit and charges all came back";
    EXPECT_EQ(k.object_at(k.root(), 11), nullptr) << "the thread died with its domain";
    EXPECT_LT(k.pages().outstanding(), pages);
    EXPECT_TRUE(k.clean());
}

TEST(Lifetime, ObjectsDieWithThePayerEvenWhenTheirCapabilitiesLiveElsewhere) {
    TestKernel k;
    Thread& t = k.child_with_thread(10, 20000, 6);
    k.ok(S::cap_copy, {1, 10, 4, all, 0});  // the child gets a capability to the root domain at 4
    k.ok(t, S::endpoint_create, {5});       // paid by the child
    k.ok(t, S::cap_grant, {5, 4, 50, all}); // its root capability moves to the root's selector 50
    ASSERT_NE(k.object_at(k.root(), 50), nullptr);
    EXPECT_EQ(k.object_at(k.root(), 50)->type, ObjectType::endpoint);
    EXPECT_EQ(quota_of(k, t).second, first_utcb_tables + 128) << "the child still pays for it";

    k.ok(S::cap_delete, {10});
    EXPECT_EQ(k.object_at(k.root(), 50), nullptr) << "the endpoint died with the domain that paid for it";
    EXPECT_TRUE(k.clean());
}

TEST(Lifetime, NestedDomainsReturnTheirLimitsAllTheWayUp) {
    TestKernel k;
    auto before = quota_of(k, k.root_thread());
    Thread& t = k.child_with_thread(10, 100000, 6);
    Pd& child = k.at<Pd>(k.root(), 10);
    k.ok(S::cap_copy, {10, 10, 1, all, 0}); // the child can name itself at 1
    k.ok(t, S::pd_create, {2, 30000, 4});   // grandchild, paid by the child
    k.ok(t, S::thread_create, {3, 2, 0x4000, 1, 0});
    Thread& g = k.at<Thread>(child, 3);
    EXPECT_EQ(quota_of(k, g), std::make_pair(std::uint64_t{30000}, first_utcb_tables));
    k.ok(g, S::endpoint_create, {1});
    EXPECT_EQ(quota_of(k, g).second, first_utcb_tables + 128);
    EXPECT_EQ(quota_of(k, t),
              std::make_pair(std::uint64_t{70000}, first_utcb_tables + pd_cost(4) + thread_cost));

    k.ok(S::cap_delete, {10});
    EXPECT_EQ(quota_of(k, k.root_thread()), before);
    EXPECT_TRUE(k.clean());
}

TEST(Lifetime, DeletingACopyLeavesTheObjectAlive) {
    TestKernel k;
    k.ok(S::endpoint_create, {10});
    k.ok(S::cap_copy, {10, 1, 11, all, 0});
    auto before = quota_of(k, k.root_thread());
    k.ok(S::cap_delete, {11});
    EXPECT_NE(k.object_at(k.root(), 10), nullptr);
    EXPECT_EQ(quota_of(k, k.root_thread()), before) << "nothing was freed";
    k.ok(S::cap_delete, {10});
    EXPECT_EQ(quota_of(k, k.root_thread()).second, before.second - 128);
}

TEST(Lifetime, WeakReferencesAreClearedWhenTheirTargetDies) {
    TestKernel k;
    k.ok(S::endpoint_create, {10});
    k.ok(S::cap_copy, {10, 1, 11, all, 42});
    k.ok(S::thread_configure, {2, 11, 10});
    Thread& t = k.root_thread();
    auto& ep = k.at<Endpoint>(k.root(), 10);
    EXPECT_EQ(t.pager.target(), &ep);
    EXPECT_EQ(t.pager.tag(), 42u) << "the pager reference remembers the badge";
    EXPECT_EQ(t.exception_handler.target(), &ep);
    k.ok(S::cap_delete, {10});
    EXPECT_EQ(t.pager.target(), nullptr);
    EXPECT_EQ(t.exception_handler.target(), nullptr);

    k.ok(S::irq_create, {20, 3, 7});
    k.ok(S::notification_create, {21});
    k.ok(S::irq_bind, {20, 21, 9});
    auto& irq = k.at<Irq>(k.root(), 20);
    EXPECT_NE(irq.notification.target(), nullptr);
    k.ok(S::cap_delete, {21});
    EXPECT_EQ(irq.notification.target(), nullptr);
    EXPECT_TRUE(k.clean());
}

TEST(Lifetime, AnIrqLineIsFreeAgainOnceItsIrqObjectDies) {
    TestKernel k;
    k.ok(S::irq_create, {20, 3, 5});
    EXPECT_EQ(k.call(S::irq_create, {21, 3, 5}).status, E::invalid_argument);
    k.ok(S::cap_delete, {20});
    k.ok(S::irq_create, {21, 3, 5});
}

TEST(Lifetime, DestroyingEverythingReturnsEveryPage) {
    auto k = std::make_unique<TestKernel>();
    Thread& t = k->child_with_thread(10, 200000, 8);
    for (std::uint64_t sel = 100; sel < 140; ++sel) k->ok(t, S::endpoint_create, {sel});
    k->ok(S::irq_create, {20, 3, 1});
    EXPECT_GT(k->pages().outstanding(), 0u);
    k.reset(); // ~TestKernel destroys all and checks every page came back
}

TEST(Lifetime, RevokingRemovesEveryDerivedCapabilityInEveryDomainButKeepsTheSource) {
    TestKernel k;
    Thread& t = k.child_with_thread(10, 20000, 6);
    Pd& child = k.at<Pd>(k.root(), 10);
    k.ok(S::cap_copy, {10, 10, 1, all, 0}); // the child can name itself at 1
    k.ok(S::endpoint_create, {20});
    k.ok(S::cap_copy, {20, 10, 5, all, 0});
    k.ok(S::cap_copy, {20, 1, 21, spec::rights::read | spec::rights::grant, 0});
    k.ok(t, S::cap_copy, {5, 1, 6, spec::rights::write, 0});
    k.ok(S::cap_copy, {21, 1, 22, spec::rights::read, 0});
    auto& ep = k.at<Endpoint>(k.root(), 20);
    EXPECT_EQ(ep.cap_count, 5u);

    k.ok(S::cap_revoke, {20});
    EXPECT_EQ(k.object_at(k.root(), 20), &ep);
    for (std::uint64_t sel : {21, 22}) EXPECT_EQ(k.object_at(k.root(), sel), nullptr) << sel;
    for (std::uint64_t sel : {5, 6}) EXPECT_EQ(k.object_at(child, sel), nullptr) << sel;
    EXPECT_EQ(ep.cap_count, 1u);
    EXPECT_TRUE(k.clean());
}

TEST(Lifetime, ADomainCannotDeleteWhatWouldDestroyItself) {
    TestKernel k;
    Thread& t = k.child_with_thread(10, 20000, 6);
    k.ok(S::cap_copy, {1, 10, 4, all, 0}); // the child gets a handle on the root domain
    k.ok(S::cap_grant, {11, 10, 7, all});  // and the root capability of its own thread
    EXPECT_EQ(k.call(t, S::cap_delete, {7}).status, E::self_reference);
    k.ok(S::cap_grant, {10, 10, 8, all}); // and the root capability of its own domain
    EXPECT_EQ(k.call(t, S::cap_delete, {8}).status, E::self_reference);
    Pd& child = *t.pd;
    EXPECT_EQ(k.object_at(child, 7), &t) << "refused: nothing changed";
    EXPECT_EQ(k.object_at(child, 8), &child);
    k.ok(t, S::cap_delete, {4}); // deleting its handle on the root destroys nothing
    EXPECT_TRUE(k.clean());
}

} // namespace
