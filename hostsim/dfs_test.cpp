// Bounded-exhaustive search enumerates exactly the schedules it should. The expected numbers are worked out
// by hand from the definitions (a schedule is an order of the CPUs' operations; a preemption is switching
// away from a CPU that still has operations), not taken from the code:
//   * 2 CPUs with 2 operations each: the orders are the C(4,2) = 6 words over {A,A,B,B}. Preemptions:
//     AABB 0, BBAA 0, ABBA 1, BAAB 1, ABAB 2, BABA 2. So bound 0 gives 2 schedules, bound 1 gives 4, bound 2
//     and unbounded give 6.
//   * 2 CPUs with 3 operations each, unbounded: C(6,3) = 20.
//   * 3 CPUs with 1 operation each: 3! = 6, every switch happens after a CPU finished, so even bound 0.
#include <gtest/gtest.h>

#include <set>

#include "arch/atomic.hpp"
#include "hostsim/explorer.hpp"

namespace hostsim {
namespace {

// Each CPU takes `ops` tickets from one counter; the owner of ticket t is the CPU whose operation came t-th.
Scenario ticket_program(unsigned cpus, unsigned ops, std::vector<std::string>* orders) {
    Scenario s;
    s.name = "test.tickets";
    s.config.cpus = cpus;
    s.config.memory_bytes = 0;
    s.body = [cpus, ops, orders](Machine& m) {
        arch::Atomic<std::uint32_t> next{0};
        std::uint32_t got[4][8] = {};
        for (unsigned c = 0; c < cpus; ++c)
            m.start(c, [&next, &got, c, ops] {
                for (unsigned k = 0; k < ops; ++k) got[c][k] = next.fetch_add(1);
            });
        m.run();
        std::string order(cpus * ops, '?');
        for (unsigned c = 0; c < cpus; ++c)
            for (unsigned k = 0; k < ops; ++k) order[got[c][k]] = static_cast<char>('A' + c);
        orders->push_back(order);
    };
    return s;
}

std::set<std::string> enumerate(unsigned cpus, unsigned ops, const char* strategy, std::uint64_t* runs) {
    std::vector<std::string> orders;
    Scenario s = ticket_program(cpus, ops, &orders);
    ExploreOptions o;
    o.strategy = *StrategySpec::parse(strategy);
    o.runs = 10000;
    ExploreReport r = explore(s, o);
    EXPECT_FALSE(r.failed()) << r.failure_text();
    EXPECT_TRUE(r.exhausted);
    *runs = r.runs;
    std::set<std::string> distinct(orders.begin(), orders.end());
    EXPECT_EQ(distinct.size(), orders.size()) << "a schedule was run twice";
    return distinct;
}

TEST(Dfs, TwoCpusTwoOpsWithoutPreemptionRunsEachCpuToTheEnd) {
    std::uint64_t runs;
    EXPECT_EQ(enumerate(2, 2, "dfs0", &runs), (std::set<std::string>{"AABB", "BBAA"}));
    EXPECT_EQ(runs, 2u);
}

TEST(Dfs, TwoCpusTwoOpsWithOnePreemption) {
    std::uint64_t runs;
    EXPECT_EQ(enumerate(2, 2, "dfs1", &runs), (std::set<std::string>{"AABB", "BBAA", "ABBA", "BAAB"}));
    EXPECT_EQ(runs, 4u);
}

TEST(Dfs, TwoCpusTwoOpsUnboundedGivesAllSixOrders) {
    std::uint64_t runs;
    EXPECT_EQ(enumerate(2, 2, "dfs", &runs),
              (std::set<std::string>{"AABB", "ABAB", "ABBA", "BAAB", "BABA", "BBAA"}));
    EXPECT_EQ(runs, 6u);
    EXPECT_EQ(enumerate(2, 2, "dfs2", &runs).size(), 6u);
    EXPECT_EQ(runs, 6u);
}

TEST(Dfs, TwoCpusThreeOpsUnboundedGivesTwenty) {
    std::uint64_t runs;
    EXPECT_EQ(enumerate(2, 3, "dfs", &runs).size(), 20u);
    EXPECT_EQ(runs, 20u);
}

TEST(Dfs, ThreeCpusOneOpEachGivesAllPermutationsEvenWithoutPreemption) {
    std::uint64_t runs;
    std::set<std::string> all{"ABC", "ACB", "BAC", "BCA", "CAB", "CBA"};
    EXPECT_EQ(enumerate(3, 1, "dfs0", &runs), all);
    EXPECT_EQ(runs, 6u);
}

TEST(Dfs, TheRunIndexIsItsSeed) {
    // Replaying "dfs1 seed=k" without a schedule re-enumerates to the k-th schedule.
    std::vector<std::string> orders;
    Scenario s = ticket_program(2, 2, &orders);
    std::uint64_t runs;
    enumerate(2, 2, "dfs1", &runs);
    std::vector<std::string> expected;
    {
        ExploreOptions o;
        o.strategy = *StrategySpec::parse("dfs1");
        explore(s, o);
        expected = orders;
    }
    for (std::uint64_t k = 0; k < expected.size(); ++k) {
        orders.clear();
        ReplayLine line{s.name, *StrategySpec::parse("dfs1"), k, false, s.config.step_budget, std::nullopt};
        replay(s, line);
        EXPECT_EQ(orders.back(), expected[k]) << "run " << k;
    }
}

} // namespace
} // namespace hostsim
