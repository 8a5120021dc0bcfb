// The scheduling policy as kernel/sched/scheduler.hpp states it, one rule per test; expected orders are
// worked out by hand from those rules.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "kernel/sched/scheduler.hpp"

namespace kernel::sched {
namespace {

constexpr std::uint64_t slice = 1000;

struct Sched : ::testing::Test {
    Sched() { s->init(4, slice); }

    Entity& entity(Priority p, std::uint32_t cpu = 0) {
        pool.push_back(std::make_unique<Entity>());
        pool.back()->init_sched(p, cpu);
        return *pool.back();
    }
    /// Time passes on CPU `cpu` while its current entity runs: the loop stamps the entry and bills it.
    void run_for(std::uint32_t cpu, std::uint64_t ns) {
        s->dispatched(cpu);
        s->set_now(s->now() + ns);
        s->charge(cpu);
    }
    static std::uint64_t bit(unsigned cpu) { return std::uint64_t{1} << cpu; }

    std::unique_ptr<Scheduler> s = std::make_unique<Scheduler>(); // large: 64 CPUs' run queues
    std::vector<std::unique_ptr<Entity>> pool;
};

TEST_F(Sched, AnIdleCpuPicksNothing) {
    EXPECT_EQ(s->pick(0), nullptr);
    EXPECT_EQ(s->current(0), nullptr);
    EXPECT_EQ(s->next_event(0), 0u) << "nothing to time";
}

TEST_F(Sched, HighestPriorityRunsAndGetsAFullSlice) {
    Entity& low = entity(10);
    Entity& high = entity(200);
    s->make_ready(low);
    s->make_ready(high);
    EXPECT_EQ(s->pick(0), &high);
    EXPECT_EQ(high.run_state(), RunState::running);
    EXPECT_EQ(high.slice_left(), slice);
    EXPECT_EQ(low.run_state(), RunState::ready);
    EXPECT_EQ(s->next_event(0), s->now() + slice) << "the timer ends the slice";
}

TEST_F(Sched, EqualsShareTheCpuRoundRobinWhenSlicesRunOut) {
    Entity& a = entity(50);
    Entity& b = entity(50);
    Entity& c = entity(50);
    for (Entity* e : {&a, &b, &c}) s->make_ready(*e);
    std::vector<Entity*> order;
    for (int i = 0; i < 6; ++i) {
        Entity* e = s->pick(0);
        order.push_back(e);
        run_for(0, slice / 2);
        EXPECT_EQ(s->pick(0), e) << "half a slice: it goes on";
        run_for(0, slice); // more than the rest: billing stops at zero
        EXPECT_EQ(e->slice_left(), 0u);
    }
    EXPECT_EQ(order, (std::vector<Entity*>{&a, &b, &c, &a, &b, &c}));
}

TEST_F(Sched, APreemptedEntityResumesFirstWithTheRestOfItsSlice) {
    Entity& a = entity(50);
    Entity& b = entity(50);
    Entity& urgent = entity(90);
    s->make_ready(a);
    s->make_ready(b);
    ASSERT_EQ(s->pick(0), &a);
    run_for(0, 300);
    s->make_ready(urgent);
    EXPECT_EQ(s->pick(0), &urgent);
    EXPECT_EQ(a.run_state(), RunState::ready);
    s->make_off(urgent); // it blocks
    EXPECT_EQ(s->pick(0), &a) << "a was preempted, so it goes before b";
    EXPECT_EQ(a.slice_left(), slice - 300);
}

TEST_F(Sched, YieldGoesBehindEqualsButNotBehindLowerPriorities) {
    Entity& a = entity(50);
    Entity& b = entity(50);
    Entity& low = entity(5);
    s->make_ready(a);
    s->make_ready(b);
    s->make_ready(low);
    ASSERT_EQ(s->pick(0), &a);
    s->yield(a);
    EXPECT_EQ(s->pick(0), &b);
    s->yield(b);
    EXPECT_EQ(s->pick(0), &a);
    s->make_off(b);
    s->yield(a);
    EXPECT_EQ(s->pick(0), &a) << "alone at its level, a yielding thread runs again";
    EXPECT_EQ(a.slice_left(), slice);
}

TEST_F(Sched, ReadyingOnAnotherCpuKicksItOnlyIfItPreempts) {
    Entity& busy = entity(100, 1);
    s->make_ready(busy);
    EXPECT_EQ(s->take_kicks(0), bit(1)) << "CPU 1 idles: it must wake";
    ASSERT_EQ(s->pick(1), &busy);
    Entity& lower = entity(50, 1);
    s->make_ready(lower);
    EXPECT_EQ(s->take_kicks(0), 0u) << "a lower priority does not disturb CPU 1";
    Entity& higher = entity(150, 1);
    s->make_ready(higher);
    EXPECT_EQ(s->take_kicks(0), bit(1));
    EXPECT_EQ(s->pick(1), &higher);
}

TEST_F(Sched, KicksOfTheExecutingCpuAreDropped) {
    Entity& e = entity(100, 2);
    s->make_ready(e);
    EXPECT_EQ(s->take_kicks(2), 0u) << "CPU 2 decides anyway before it leaves the kernel";
    EXPECT_EQ(s->pending_kicks(), 0u);
}

TEST_F(Sched, StoppingARunningEntityEmptiesItsCpu) {
    Entity& e = entity(100, 3);
    s->make_ready(e);
    ASSERT_EQ(s->pick(3), &e);
    s->take_kicks(0);
    s->make_off(e);
    EXPECT_EQ(e.run_state(), RunState::off);
    EXPECT_EQ(s->current(3), nullptr);
    EXPECT_EQ(s->take_kicks(0), bit(3)) << "CPU 3 runs it in user mode: it must leave";
    EXPECT_EQ(s->pick(3), nullptr);
}

TEST_F(Sched, AffinityMovesWaitingEntitiesAtOnceAndRunningOnesAtTheNextDecision) {
    Entity& waiting = entity(60, 0);
    Entity& running = entity(70, 0);
    s->make_ready(waiting);
    s->make_ready(running);
    ASSERT_EQ(s->pick(0), &running);
    s->take_kicks(0);
    s->set_cpu(waiting, 1);
    EXPECT_EQ(s->take_kicks(0), bit(1));
    EXPECT_EQ(s->pick(1), &waiting);
    s->set_cpu(running, 2);
    EXPECT_EQ(s->take_kicks(1), bit(0)) << "CPU 0 must let go of it";
    EXPECT_EQ(s->pick(0), nullptr);
    EXPECT_EQ(s->take_kicks(0), bit(2)) << "handing it over wakes CPU 2";
    EXPECT_EQ(s->pick(2), &running);
    EXPECT_EQ(running.cpu(), 2u);
}

TEST_F(Sched, LoweringTheRunningPriorityBelowAWaiterPreemptsIt) {
    Entity& a = entity(100);
    Entity& b = entity(80);
    s->make_ready(a);
    s->make_ready(b);
    ASSERT_EQ(s->pick(0), &a);
    s->set_priority(a, 70);
    EXPECT_EQ(s->pick(0), &b);
    s->set_priority(a, 90); // while it waits: requeued at its new level
    EXPECT_EQ(s->pick(0), &a);
}

TEST_F(Sched, TimeoutsExpireInOrderAndTheTimerTakesTheEarlierEvent) {
    Entity& runner = entity(10);
    Entity& x = entity(20);
    Entity& y = entity(20);
    s->make_ready(runner);
    ASSERT_EQ(s->pick(0), &runner);
    s->arm_timeout(y, 0, 600);
    s->arm_timeout(x, 0, 400);
    EXPECT_EQ(s->next_event(0), 400u) << "first timeout before the slice end at 1000";
    s->set_now(500);
    EXPECT_EQ(s->pop_expired(0), &x);
    EXPECT_EQ(s->pop_expired(0), nullptr);
    s->cancel_timeout(y);
    EXPECT_FALSE(y.has_timeout());
    s->set_now(5000);
    EXPECT_EQ(s->pop_expired(0), nullptr) << "a cancelled timeout never fires";
}

TEST_F(Sched, DeadlinesSaturate) {
    s->set_now(100);
    EXPECT_EQ(s->deadline_after(50), 150u);
    EXPECT_EQ(s->deadline_after(~std::uint64_t{0} - 10), ~std::uint64_t{0});
}

TEST_F(Sched, AForgottenEntityLeavesQueuesAndItsCpu) {
    Entity& e = entity(100, 1);
    Entity& w = entity(50, 1);
    s->make_ready(e);
    s->make_ready(w);
    ASSERT_EQ(s->pick(1), &e);
    s->set_loaded(1, &e);
    s->arm_timeout(w, 1, 999);
    s->take_kicks(0);
    EXPECT_EQ(s->forget(e), bit(1))
        << "CPU 1 runs user code from its frame: it must leave before the frame goes";
    EXPECT_EQ(s->forget(w), 0u) << "loaded nowhere";
    EXPECT_EQ(s->current(1), nullptr);
    EXPECT_EQ(s->loaded(1), nullptr) << "the run loop must not save registers into a dead thread";
    EXPECT_FALSE(w.has_timeout());
    EXPECT_TRUE(s->run_queue(1).empty());
    EXPECT_EQ(s->take_kicks(0), bit(1));
}

TEST_F(Sched, HandOverGivesTheCpuStraightToThePartnerUnlessSomethingReadyOutranksIt) {
    Entity& caller = entity(100);
    Entity& server = entity(100);
    Entity& waiting = entity(100);
    s->make_ready(caller);
    ASSERT_EQ(s->pick(0), &caller);
    s->make_ready(waiting); // an equal waits: the partner still goes first (IPC hand-over)
    s->hand_over(caller, server);
    EXPECT_EQ(s->current(0), &server);
    EXPECT_EQ(server.run_state(), RunState::running);
    EXPECT_EQ(caller.run_state(), RunState::off);
    EXPECT_EQ(s->pick(0), &server) << "no detour through the run queue";

    Entity& urgent = entity(200);
    s->make_ready(urgent);
    s->hand_over(server, caller); // something ready outranks the partner: the general way
    EXPECT_EQ(caller.run_state(), RunState::ready);
    EXPECT_EQ(s->pick(0), &urgent);

    Entity& remote = entity(100, 2);
    s->make_off(urgent);
    s->make_off(waiting);
    ASSERT_EQ(s->pick(0), &caller);
    s->take_kicks(0);
    s->hand_over(caller, remote); // partner on another CPU: it is readied there
    EXPECT_EQ(remote.run_state(), RunState::ready);
    EXPECT_EQ(s->take_kicks(0), bit(2));
}

TEST_F(Sched, AYieldWithNoEqualReadyRefillsTheSliceAndKeepsTheCpu) {
    Entity& a = entity(50);
    Entity& low = entity(10);
    s->make_ready(a);
    s->make_ready(low);
    ASSERT_EQ(s->pick(0), &a);
    run_for(0, 300);
    s->set_now(s->now() + 100); // 100 ns more in the kernel, not yet billed
    s->yield(a);
    EXPECT_EQ(a.slice_left(), slice) << "what pick would give it: a fresh slice";
    EXPECT_TRUE(s->goes_on(0, a)) << "nothing of its priority or above is ready: it simply goes on";
    EXPECT_EQ(s->next_event(0), s->now() + slice) << "the 100 ns were billed before the refill";
    const std::uint64_t version = s->version();
    s->yield(a);
    EXPECT_EQ(s->version(), version) << "a refill changes no decision";

    Entity& b = entity(50);
    s->make_ready(b);
    s->yield(a); // an equal is ready: a goes behind it
    EXPECT_NE(s->version(), version);
    EXPECT_FALSE(s->goes_on(0, a));
    EXPECT_EQ(s->pick(0), &b);
}

// goes_on is pick's answer without pick's work: a running thread with slice left keeps its CPU while only its
// equals (or lower) are ready, since equals take turns only at the end of a slice, and loses it to a higher
// one.
TEST_F(Sched, GoesOnAgreesWithPickWhileEqualsWaitForTheEndOfTheSlice) {
    Entity& a = entity(50);
    Entity& equal = entity(50);
    Entity& higher = entity(60);
    s->make_ready(a);
    ASSERT_EQ(s->pick(0), &a);
    s->make_ready(equal);
    run_for(0, 300);
    ASSERT_GT(a.slice_left(), 0u);
    EXPECT_TRUE(s->goes_on(0, a)) << "an equal waits for the end of the slice";
    EXPECT_EQ(s->pick(0), &a) << "and pick agrees";
    s->make_ready(higher);
    EXPECT_FALSE(s->goes_on(0, a)) << "a higher priority takes the CPU";
    EXPECT_EQ(s->pick(0), &higher) << "and pick agrees";
}

TEST_F(Sched, TheVersionMovesWithEveryChangeADecisionRestsOnAndNotWithTime) {
    Entity& a = entity(50);
    Entity& b = entity(50, 1);
    std::uint64_t v = s->version();
    auto moved = [&] {
        const bool m = s->version() != v;
        v = s->version();
        return m;
    };
    s->make_ready(a);
    EXPECT_TRUE(moved()) << "make_ready";
    ASSERT_EQ(s->pick(0), &a);
    EXPECT_TRUE(moved()) << "pick";
    run_for(0, 10);
    s->set_now(s->now() + 5);
    EXPECT_FALSE(moved()) << "time and billing are the timer's business";
    s->arm_timeout(b, 1, 500);
    EXPECT_TRUE(moved()) << "arm_timeout";
    s->cancel_timeout(b);
    EXPECT_TRUE(moved()) << "cancel_timeout";
    s->cancel_timeout(b);
    EXPECT_FALSE(moved()) << "no timeout to cancel";
    s->set_priority(a, 60);
    EXPECT_TRUE(moved()) << "set_priority";
    s->hand_over(a, b);
    EXPECT_TRUE(moved()) << "hand_over";
    s->set_loaded(1, &b);
    EXPECT_EQ(s->unload(b), bit(1));
    EXPECT_TRUE(moved()) << "unload";
    EXPECT_EQ(s->unload(b), 0u);
    EXPECT_FALSE(moved()) << "unload of what no CPU holds";
    s->make_off(b);
    EXPECT_TRUE(moved()) << "make_off";
}

} // namespace
} // namespace kernel::sched
