// The explorer's promises: a run is a pure function of (strategy, seed); a failure's line replays it exactly;
// nondeterministic scenarios and schedules that no longer fit are reported; random and PCT reach every
// interleaving of a small program.
#include <gtest/gtest.h>

#include <set>

#include "arch/atomic.hpp"
#include "hostsim/explorer.hpp"

namespace hostsim {
namespace {

// Two CPUs increment a counter with a separate load and store: the classic lost update.
Scenario racy_counter() {
    Scenario s;
    s.name = "test.racy_counter";
    s.config.cpus = 2;
    s.config.memory_bytes = 0;
    s.body = [](Machine& m) {
        arch::Atomic<int> counter{0};
        auto inc = [&counter] {
            for (int i = 0; i < 3; ++i) counter.store(counter.load() + 1);
        };
        m.start(0, inc);
        m.start(1, inc);
        m.run();
        m.check(counter.raw() == 6, "lost update: counter is %d", counter.raw());
    };
    return s;
}

// Records the order in which 2 CPUs with 2 operations each took their steps (see dfs_test.cpp).
Scenario tickets(std::vector<std::string>* orders) {
    Scenario s;
    s.name = "test.tickets";
    s.config.cpus = 2;
    s.config.memory_bytes = 0;
    s.body = [orders](Machine& m) {
        arch::Atomic<std::uint32_t> next{0};
        std::uint32_t got[2][2] = {};
        for (unsigned c = 0; c < 2; ++c)
            m.start(c, [&next, &got, c] {
                for (unsigned k = 0; k < 2; ++k) got[c][k] = next.fetch_add(1);
            });
        m.run();
        std::string order(4, '?');
        for (unsigned c = 0; c < 2; ++c)
            for (unsigned k = 0; k < 2; ++k) order[got[c][k]] = static_cast<char>('A' + c);
        orders->push_back(order);
    };
    return s;
}

TEST(Explorer, FindsTheLostUpdateAndItsLineReplaysTheSameFailure) {
    Scenario s = racy_counter();
    for (const char* strategy : {"random", "pct2", "dfs1"}) {
        ExploreOptions o;
        o.strategy = *StrategySpec::parse(strategy);
        o.runs = 500;
        ExploreReport r = explore(s, o);
        ASSERT_TRUE(r.failed()) << strategy;
        EXPECT_EQ(r.failure.verdict, Verdict::check_failed);
        EXPECT_TRUE(r.nondeterminism.empty()) << r.nondeterminism;
        auto line = ReplayLine::parse(r.failure_text());
        ASSERT_TRUE(line) << r.failure_text();
        Outcome again = replay(s, *line);
        EXPECT_EQ(compare_outcomes(r.failure, again), "") << strategy;
        // Without its schedule, the line's strategy and seed regenerate the same run.
        line->schedule.reset();
        EXPECT_EQ(compare_outcomes(r.failure, replay(s, *line)), "") << strategy;
    }
}

TEST(Explorer, TheSameSeedGivesTheSameRunsAndAnotherSeedOthers) {
    std::vector<std::string> first, second, third;
    ExploreOptions o;
    o.strategy = *StrategySpec::parse("random");
    o.runs = 50;
    o.seed = 11;
    explore(tickets(&first), o);
    explore(tickets(&second), o);
    o.seed = 12;
    explore(tickets(&third), o);
    EXPECT_EQ(first, second);
    EXPECT_NE(first, third);
}

std::set<std::string> reached(const char* strategy, std::uint64_t runs) {
    std::vector<std::string> orders;
    ExploreOptions o;
    o.strategy = *StrategySpec::parse(strategy);
    o.runs = runs;
    explore(tickets(&orders), o);
    return std::set<std::string>(orders.begin(), orders.end());
}

TEST(Explorer, RandomAndPct3ReachAllSixInterleavingsOfTwoByTwo) {
    std::set<std::string> all{"AABB", "ABAB", "ABBA", "BAAB", "BABA", "BBAA"};
    EXPECT_EQ(reached("random", 200), all);
    EXPECT_EQ(reached("pct3", 200), all);
}

// PCT with depth 2 has a single priority change point, so it preempts at most once: of the six orders only
// those with at most one preemption (dfs_test.cpp) can come out.
TEST(Explorer, Pct2ReachesExactlyTheOrdersWithAtMostOnePreemption) {
    EXPECT_EQ(reached("pct2", 300), (std::set<std::string>{"AABB", "BBAA", "ABBA", "BAAB"}));
}

TEST(Explorer, CorrectProgramSurvivesItsBudget) {
    Scenario s;
    s.name = "test.atomic_counter";
    s.config.cpus = 3;
    s.config.memory_bytes = 0;
    s.body = [](Machine& m) {
        arch::Atomic<int> counter{0};
        for (unsigned c = 0; c < 3; ++c)
            m.start(c, [&counter] {
                for (int i = 0; i < 3; ++i) counter.fetch_add(1);
            });
        m.run();
        m.check(counter.raw() == 9, "counter is %d", counter.raw());
    };
    for (const char* strategy : {"random", "pct3", "dfs2"}) {
        ExploreOptions o;
        o.strategy = *StrategySpec::parse(strategy);
        o.runs = 300;
        ExploreReport r = explore(s, o);
        EXPECT_FALSE(r.failed()) << r.failure_text();
    }
}

TEST(Explorer, ScenarioThatDependsOnTheHostIsReportedNondeterministic) {
    static int executions;
    executions = 0;
    Scenario s;
    s.name = "test.flaky";
    s.config.memory_bytes = 0;
    s.body = [](Machine& m) {
        int n = ++executions; // state outside the machine: the re-run sees another value
        m.start(0, [] { arch::preemption_point(); });
        m.run();
        m.check(n != 1, "failed on execution %d", n);
    };
    ExploreOptions o;
    o.runs = 5;
    ExploreReport r = explore(s, o);
    ASSERT_TRUE(r.failed());
    EXPECT_FALSE(r.nondeterminism.empty());
    EXPECT_NE(r.failure_text().find("NONDETERMINISTIC"), std::string::npos);
}

TEST(Explorer, AScheduleThatDoesNotFitIsADivergence) {
    std::vector<std::string> orders;
    Scenario s = tickets(&orders);
    auto line = ReplayLine::parse("test.tickets,random,seed=1,sc,budget=1000,sched=ab3");
    ASSERT_TRUE(line);
    Outcome out = replay(s, *line); // after a,b the run has fewer decisions than recorded
    EXPECT_EQ(out.verdict, Verdict::divergence);
    line = ReplayLine::parse("test.tickets,random,seed=1,sc,budget=1000,sched=c");
    out = replay(s, *line); // there is no CPU 2
    EXPECT_EQ(out.verdict, Verdict::divergence);
    EXPECT_NE(out.message.find("recorded c"), std::string::npos) << out.message;
    line = ReplayLine::parse("test.tickets,random,seed=1,sc,budget=1000,sched=a");
    out = replay(s, *line); // AABB needs two decisions
    EXPECT_EQ(out.verdict, Verdict::divergence);
}

TEST(Explorer, DfsReportsExhaustionAndNoFailure) {
    std::vector<std::string> orders;
    ExploreOptions o;
    o.strategy = *StrategySpec::parse("dfs");
    o.runs = 100;
    ExploreReport r = explore(tickets(&orders), o);
    EXPECT_TRUE(r.exhausted);
    EXPECT_EQ(r.runs, 6u);
}

} // namespace
} // namespace hostsim
