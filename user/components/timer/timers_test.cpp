// The timer service's table (timers.hpp) tick by tick: due times, periodic re-arming, cancelling, a full
// table, notifications that are gone.
#include "user/components/timer/timers.hpp"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace janus::components::timer {
namespace {

constexpr std::uint64_t ms = 1'000'000;

/// Records what the table asks of the server. Slots in `dead` hold a notification that is gone.
struct Recorder {
    struct Signal {
        std::uint64_t tick;
        unsigned slot;
        std::uint64_t bits;
    };
    const Timers* timers = nullptr;
    std::vector<Signal> signals;
    std::vector<unsigned> released;
    std::set<unsigned> dead;

    bool signal(unsigned slot, std::uint64_t bits) {
        signals.push_back({timers->now(), slot, bits});
        return !dead.count(slot);
    }
    void release(unsigned slot) { released.push_back(slot); }

    /// Ticks at which `slot` was signalled.
    std::vector<std::uint64_t> ticks_of(unsigned slot) const {
        std::vector<std::uint64_t> t;
        for (const Signal& s : signals)
            if (s.slot == slot) t.push_back(s.tick);
        return t;
    }
};

struct Table : ::testing::Test {
    Timers timers;
    Recorder effects;
    Table() { effects.timers = &timers; }
    void run_ticks(unsigned n) {
        for (unsigned i = 0; i < n; ++i) timers.tick(effects);
    }
};

TEST_F(Table, AOneShotFiresOnceNeverEarly) {
    // 30 ms is 3 ticks of 10 ms; the current tick has partly passed, so the signal comes at the 4th.
    const Added a = timers.add(1, 0, 30 * ms, 0x4, false);
    ASSERT_EQ(a.status, Status::ok);
    run_ticks(10);
    EXPECT_EQ(effects.ticks_of(0), (std::vector<std::uint64_t>{4}));
    EXPECT_EQ(effects.signals.at(0).bits, 0x4u);
    EXPECT_EQ(effects.released, (std::vector<unsigned>{0}));
    EXPECT_EQ(timers.running(), 0u);
}

TEST_F(Table, DelaysRoundUpToWholeTicks) {
    timers.add(1, 0, 25 * ms, 1, false); // 3 ticks
    timers.add(1, 1, 1, 1, false);       // 1 ns: 1 tick
    timers.add(1, 2, 10 * ms, 1, false); // exactly 1 tick
    run_ticks(6);
    EXPECT_EQ(effects.ticks_of(0), (std::vector<std::uint64_t>{4}));
    EXPECT_EQ(effects.ticks_of(1), (std::vector<std::uint64_t>{2}));
    EXPECT_EQ(effects.ticks_of(2), (std::vector<std::uint64_t>{2}));
}

TEST_F(Table, APeriodicTimerFiresEveryPeriodInPhase) {
    run_ticks(5); // subscribed at tick 5
    timers.add(1, 3, 20 * ms, 1, true);
    run_ticks(10);
    EXPECT_EQ(effects.ticks_of(3), (std::vector<std::uint64_t>{8, 10, 12, 14}));
    EXPECT_TRUE(effects.released.empty());
    EXPECT_EQ(timers.running(), 1u);
}

TEST_F(Table, CancelStopsTheTimerAndReleasesItsSlot) {
    const Added a = timers.add(1, 5, 20 * ms, 1, true);
    run_ticks(3);
    EXPECT_EQ(timers.cancel(1, a.id, effects), Status::ok);
    EXPECT_EQ(effects.released, (std::vector<unsigned>{5}));
    run_ticks(10);
    EXPECT_EQ(effects.ticks_of(5), (std::vector<std::uint64_t>{3})); // nothing after the cancel
    EXPECT_EQ(timers.cancel(1, a.id, effects), Status::no_such_timer);
}

TEST_F(Table, OnlyTheOwnerCancels) {
    const Added a = timers.add(1, 0, 20 * ms, 1, true);
    EXPECT_EQ(timers.cancel(2, a.id, effects), Status::no_such_timer);
    EXPECT_EQ(timers.cancel(1, a.id + 1, effects), Status::no_such_timer);
    EXPECT_EQ(timers.cancel(1, 0xffff'ffff'ffff'ffff, effects), Status::no_such_timer);
    run_ticks(3);
    EXPECT_EQ(effects.ticks_of(0).size(), 1u); // still running
}

TEST_F(Table, AnOldIdDoesNotNameTheNextTimerInItsEntry) {
    const Added first = timers.add(1, 0, 10 * ms, 1, false);
    run_ticks(2); // fired and stopped
    const Added second = timers.add(1, 1, 10 * ms, 1, true);
    EXPECT_NE(first.id, second.id);
    EXPECT_EQ(timers.cancel(1, first.id, effects), Status::no_such_timer);
    EXPECT_EQ(timers.running(), 1u);
}

TEST_F(Table, SixteenTimersRunAndTheSeventeenthIsRefused) {
    std::set<unsigned> held;
    for (std::size_t i = 0; i < 16; ++i) {
        const unsigned slot = timers.free_slot();
        EXPECT_TRUE(held.insert(slot).second) << "slot " << slot << " handed out twice";
        EXPECT_EQ(timers.add(1, slot, 50 * ms, 1, true).status, Status::ok);
    }
    // A slot is still free for the request's capability to land in, so the client gets an answer.
    const unsigned spare = timers.free_slot();
    EXPECT_LT(spare, 17u);
    EXPECT_FALSE(held.count(spare));
    EXPECT_EQ(timers.add(1, spare, 50 * ms, 1, true).status, Status::table_full);
    EXPECT_EQ(timers.running(), 16u);
}

TEST_F(Table, BadArgumentsStartNothing) {
    EXPECT_EQ(timers.add(1, 0, 0, 1, false).status, Status::bad_argument);        // no delay
    EXPECT_EQ(timers.add(1, 0, 10 * ms, 0, false).status, Status::bad_argument);  // no bits
    EXPECT_EQ(timers.add(1, 17, 10 * ms, 1, false).status, Status::bad_argument); // no such slot
    ASSERT_EQ(timers.add(1, 0, 10 * ms, 1, false).status, Status::ok);
    EXPECT_EQ(timers.add(2, 0, 10 * ms, 1, false).status, Status::bad_argument); // slot taken
    EXPECT_EQ(timers.running(), 1u);
}

TEST_F(Table, ATimerWhoseNotificationIsGoneStops) {
    timers.add(1, 2, 10 * ms, 1, true);
    effects.dead.insert(2);
    run_ticks(6);
    EXPECT_EQ(effects.ticks_of(2), (std::vector<std::uint64_t>{2})); // tried once
    EXPECT_EQ(effects.released, (std::vector<unsigned>{2}));
    EXPECT_EQ(timers.running(), 0u);
}

TEST_F(Table, TimersDueOnOneTickAreAllSignalled) {
    timers.add(1, 0, 20 * ms, 1, false);
    timers.add(2, 1, 20 * ms, 2, false);
    timers.add(3, 2, 20 * ms, 4, true);
    run_ticks(3);
    ASSERT_EQ(effects.signals.size(), 3u);
    for (const auto& s : effects.signals) EXPECT_EQ(s.tick, 3u);
}

TEST_F(Table, HugeDelaysDoNotWrap) {
    ASSERT_EQ(timers.add(1, 0, ~std::uint64_t{0}, 1, false).status, Status::ok);
    run_ticks(100);
    EXPECT_TRUE(effects.signals.empty());
}

} // namespace
} // namespace janus::components::timer
