// Waits that end by someone else's action or by time: every (syscall, error) pair the syscall scenarios
// declare pending because no single call returns it at once (kernel/ipc/ipc_scenarios.cpp) is reached here,
// through the observer that sees each wait's final status, all in one process.
#include <gtest/gtest.h>

#include <set>

#include "kernel/ipc/testing/ipc_world.hpp"
#include "kernel/syscall/testing/scenarios.hpp"

namespace kernel::testing {
namespace {

using S = spec::Syscall;
using E = spec::Error;

constexpr std::uint64_t ep = 10, ntf = 13, gone = 14;

/// A world with an endpoint, a notification and a waiting thread per case.
struct Waits {
    IpcWorld w;
    Waits() {
        w.endpoint(ep);
        w.notification(ntf);
    }
    Thread& fresh(std::uint64_t sel) { return w.thread(sel, 0x20000 + 0x1000 * sel); }
};

std::uint64_t num(S s) {
    return static_cast<std::uint64_t>(s);
}

/// Runs every way a wait can end late; returns what it did to the threads for the per-case checks.
void end_waits_late() {
    Waits k;
    IpcWorld& w = k.w;
    // Timeouts: each syscall that can wait, with 100 ns.
    Thread& caller = k.fresh(20);
    Thread& sender = k.fresh(21);
    Thread& receiver = k.fresh(22);
    Thread& server = k.fresh(23);
    Thread& waiter = k.fresh(24);
    w.endpoint(15); // nobody receives here
    w.call(caller, S::ipc_call, {15, 0, 100, 0, 0, 0});
    w.call(sender, S::ipc_send, {15, 0, 100, 0, 0, 0});
    w.call(receiver, S::ipc_recv, {ep, 100});
    w.call(server, S::ipc_reply_recv, {ep, 0, 100, 0, 0, 0});
    w.call(waiter, S::notify_wait, {ntf, 100});
    w.advance(100);
    for (Thread* t : {&caller, &sender, &receiver, &server, &waiter})
        EXPECT_EQ(IpcWorld::received(*t).status, E::timeout);

    // Cancellation: the object goes while they wait.
    w.endpoint(gone);
    w.call(sender, S::ipc_send, {gone, 0, never, 0, 0, 0});
    w.ok(S::cap_delete, {gone});
    w.endpoint(gone);
    w.call(receiver, S::ipc_recv, {gone, never});
    w.ok(S::cap_delete, {gone});
    w.endpoint(gone);
    w.call(server, S::ipc_reply_recv, {gone, 0, never, 0, 0, 0});
    w.ok(S::cap_delete, {gone});
    w.notification(gone);
    w.call(waiter, S::notify_wait, {gone, never});
    w.ok(S::cap_delete, {gone});
    for (Thread* t : {&sender, &receiver, &server, &waiter})
        EXPECT_EQ(IpcWorld::received(*t).status, E::cancelled);
    EXPECT_TRUE(w.clean());
}

TEST(WaitEndings, EveryPendingPairOfTheScenariosIsReachedByAWaitEndingLate) {
    reached_statuses().clear();
    end_waits_late();
    const std::set<std::pair<std::uint64_t, Error>>& reached = reached_statuses();
    std::size_t ipc_pending = 0;
    for (const Pending& p : pending()) {
        if (p.number < num(S::ipc_call)) continue; // the memory side's
        ++ipc_pending;
        EXPECT_TRUE(reached.count({p.number, p.error}))
            << spec::find(p.number)->name << " never ends a wait with "
            << spec::errors[static_cast<std::size_t>(p.error)].name;
    }
    EXPECT_EQ(ipc_pending, 9u) << "the pending list of ipc_scenarios.cpp changed: update this test";
}

} // namespace
} // namespace kernel::testing
