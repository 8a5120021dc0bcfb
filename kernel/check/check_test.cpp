// The invariant checker passes on states the kernel produces and finds corruptions planted by hand: each
// corruption below breaks one invariant from docs/objects.md and must be reported.
#include <functional>
#include <gtest/gtest.h>
#include <string>

#include "kernel/cap/derivation.hpp"
#include "kernel/check/check.hpp"
#include "kernel/obj/endpoint.hpp"
#include "kernel/obj/io_access.hpp"
#include "kernel/obj/irq.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"
#include "kernel/syscall/testing/test_kernel.hpp"

namespace {

using namespace kernel;
using kernel::testing::TestKernel;
namespace spec = janus::abi;
using S = spec::Syscall;
constexpr std::uint64_t all = spec::rights::all;

/// A kernel with some of everything: a child domain with a thread, endpoints with badged copies, an irq
/// bound to a notification, a pager reference.
void populate(TestKernel& k) {
    Thread& t = k.child_with_thread(10, 50000, 6);
    k.ok(S::endpoint_create, {20});
    k.ok(S::cap_copy, {20, 1, 21, all, 77});
    k.ok(S::cap_copy, {21, 10, 5, spec::rights::write | spec::rights::grant, 0});
    k.ok(S::notification_create, {22});
    k.ok(S::irq_create, {23, 3, 4});
    k.ok(S::irq_bind, {23, 22, 3});
    k.ok(S::thread_configure, {11, 21, 0});
    k.ok(t, S::pd_quota, {});
}

std::string first_violation(TestKernel& k) {
    CheckResult r = check_kernel(k.kernel());
    return r.ok ? std::string() : std::string(r.text);
}

TEST(Checker, AcceptsEveryStateTheKernelMakes) {
    TestKernel k;
    EXPECT_EQ(first_violation(k), "");
    populate(k);
    EXPECT_EQ(first_violation(k), "");
    k.ok(S::cap_delete, {10});
    EXPECT_EQ(first_violation(k), "");
}

/// Plants `corrupt`, expects a report mentioning `needle`, then undoes it with `repair`.
void expect_found(const char* needle, const std::function<void(TestKernel&)>& corrupt,
                  const std::function<void(TestKernel&)>& repair) {
    TestKernel k;
    populate(k);
    corrupt(k);
    std::string v = first_violation(k);
    EXPECT_NE(v.find(needle), std::string::npos)
        << "expected a report about \"" << needle << "\", got \"" << v << "\"";
    repair(k);
    EXPECT_EQ(first_violation(k), "") << "the repair did not restore a valid state";
}

TEST(Checker, FindsACapabilityCountThatDisagreesWithTheTree) {
    expect_found(
        "counts", [](TestKernel& k) { ++k.object_at(k.root(), 20)->cap_count; },
        [](TestKernel& k) { --k.object_at(k.root(), 20)->cap_count; });
}

TEST(Checker, FindsADerivedCapabilityWithMoreRightsThanItsParent) {
    expect_found(
        "beyond its parent", [](TestKernel& k) { k.root().space.cap(20)->set_rights(spec::rights::read); },
        [](TestKernel& k) { k.root().space.cap(20)->set_rights(all); });
}

TEST(Checker, FindsABadgeChangedBelowABadgedParent) {
    expect_found(
        "badge",
        [](TestKernel& k) {
            Slot* s = k.at<Pd>(k.root(), 10).space.cap(5);
            s->fill(*s->object(), s->rights(), 99, s->depth(), s->prev(), s->next());
        },
        [](TestKernel& k) {
            Slot* s = k.at<Pd>(k.root(), 10).space.cap(5);
            s->fill(*s->object(), s->rights(), 77, s->depth(), s->prev(), s->next());
        });
}

TEST(Checker, FindsQuotaThatDoesNotAddUp) {
    expect_found(
        "quota used", [](TestKernel& k) { k.root().quota.used += 1; },
        [](TestKernel& k) { k.root().quota.used -= 1; });
    expect_found(
        "boot quota", [](TestKernel& k) { k.root().quota.limit += 4096; },
        [](TestKernel& k) { k.root().quota.limit -= 4096; });
}

TEST(Checker, FindsABrokenDerivationLink) {
    expect_found(
        "back link",
        [](TestKernel& k) {
            Slot* root = k.root().space.cap(20);
            root->next()->set_prev(nullptr);
        },
        [](TestKernel& k) {
            Slot* root = k.root().space.cap(20);
            root->next()->set_prev(root);
        });
}

TEST(Checker, FindsACapabilityThatLiesInNoLiveSpace) {
    Slot outside; // a slot of no capability space, derived into like any
    expect_found(
        "lies in no live capability space",
        [&](TestKernel& k) { cap_derive(*k.root().space.cap(20), outside, all, 0); },
        [&](TestKernel&) { cap_delete_subtree(outside); });
}

TEST(Checker, FindsACapabilityNamingAnObjectThatIsNotAlive) {
    Endpoint stray; // never created by the kernel, so not live
    Slot* slot = nullptr;
    expect_found(
        "dead object",
        [&](TestKernel& k) {
            slot = k.root().space.slot(30);
            cap_install_root(*slot, stray, all);
        },
        [&](TestKernel&) { slot->clear(); });
}

TEST(Checker, FindsAnIrqTableEntryThatDisagrees) {
    expect_found(
        "irq line", [](TestKernel& k) { k.kernel().irq_by_line[9] = k.kernel().irq_by_line[4]; },
        [](TestKernel& k) { k.kernel().irq_by_line[9] = nullptr; });
}

TEST(Checker, FindsAPortKeyThatDisagreesWithTheCapabilities) {
    TestKernel k;
    k.ok(S::io_create, {20, spec::root_sel::io_control, 0x60, 1});
    io_enter(k.kernel().io, k.root());
    EXPECT_EQ(first_violation(k), "");
    // A capability change that forgot to bump the epoch: the port set the domain runs with is stale.
    cap_delete_subtree(*k.root().space.cap(20));
    k.kernel().io.epoch = k.root().io.epoch_seen;
    EXPECT_NE(first_violation(k).find("holds no port but has a port key"), std::string::npos)
        << first_violation(k);
}

TEST(Checker, FindsAWeakReferenceMissingFromItsTargetsList) {
    WeakRef* saved = nullptr;
    expect_found(
        "weak reference",
        [&](TestKernel& k) {
            auto& ep = k.at<Endpoint>(k.root(), 20);
            saved = ep.referrers.head();
            // Detach the list head without clearing the reference: the thread still names the endpoint.
            *reinterpret_cast<WeakRef**>(&ep.referrers) = nullptr;
        },
        [&](TestKernel& k) {
            *reinterpret_cast<WeakRef**>(&k.at<Endpoint>(k.root(), 20).referrers) = saved;
        });
}

TEST(Checker, FindsAThreadListThatLosesAThread) {
    Thread* saved = nullptr;
    expect_found(
        "thread list",
        [&](TestKernel& k) {
            Pd& child = k.at<Pd>(k.root(), 10);
            saved = child.threads;
            child.threads = nullptr;
        },
        [&](TestKernel& k) { k.at<Pd>(k.root(), 10).threads = saved; });
}

} // namespace
