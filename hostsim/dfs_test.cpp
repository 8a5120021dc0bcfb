// Bounded-exhaustive search enumerates exactly the schedules it should. The expected numbers are worked out
// by hand from the definitions (a schedule is an order of the CPUs' operations; a preemption is switching
// away from a CPU that still has operations), not taken from the code:
//   * 2 CPUs with 2 operations each: the orders are the C(4,2) = 6 words over {A,A,B,B}. Preemptions:
//     AABB 0, BBAA 0, ABBA 1, BAAB 1, ABAB 2, BABA 2. So bound 0 gives 2 schedules, bound 1 gives 4, bound 2
//     and unbounded give 6.
//   * 2 CPUs with 3 operations each, unbounded: C(6,3) = 20.
//   * 3 CPUs with 1 operation each: 3! = 6, every switch happens after a CPU finished, so even bound 0.
//
// dpor runs one schedule of each Mazurkiewicz trace. Its tests count traces by hand too (a trace is fixed by
// the order of each pair of dependent operations: same location and a write), compare with plain dfs, which
// runs every schedule, on programs small enough for that (dfs's distinct traces, by fingerprint, are all
// traces; dpor must reach as many, and all of its complete runs must be different traces), and check that
// what a program can observe (values read, the order of dependent steps) comes out the same.
#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "arch/atomic.hpp"
#include "hostsim/explorer.hpp"
#include "hostsim/strategy_trace.hpp"

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

// --- dpor

ExploreReport explore_all(const Scenario& s, const char* strategy, std::uint64_t runs = 100000) {
    ExploreOptions o;
    o.strategy = *StrategySpec::parse(strategy);
    o.runs = runs;
    o.count_traces = true;
    return explore(s, o);
}

// A program from per-CPU code; `observed` collects what each run observed (one string per run).
using Program = std::function<void(Machine&, std::string*)>;
Scenario program(const char* name, unsigned cpus, Program body, std::vector<std::string>* observed) {
    Scenario s;
    s.name = std::string("test.") + name;
    s.config.cpus = cpus;
    s.config.memory_bytes = 0;
    s.body = [body, observed](Machine& m) {
        std::string seen;
        body(m, &seen);
        if (!m.outcome().failed() && observed) observed->push_back(seen);
    };
    return s;
}

// Two CPUs each add 1 to a shared counter, then store three times to a location of their own: with fetch_add,
// 4 steps each, C(8,4) = 70 schedules, and the only dependent pair is the two additions, so 2 traces. Racy
// (a load and a store instead of fetch_add): 5 steps each, C(10,5) = 252 schedules.
void shared_then_private_stores(Machine& m, std::string* seen, bool racy, bool check = true) {
    struct State {
        arch::Atomic<std::uint64_t> own[2][8]; // a granule each, far apart from the counter
        arch::Atomic<std::uint64_t> counter{0};
    };
    auto st = std::make_shared<State>();
    for (unsigned c = 0; c < 2; ++c)
        m.start(c, [st, c, racy] {
            if (racy) {
                const std::uint64_t v = st->counter.load();
                st->counter.store(v + 1);
            } else {
                st->counter.fetch_add(1);
            }
            for (unsigned k = 0; k < 3; ++k) st->own[c][k * 2].store(k + 1);
        });
    if (!m.run()) return;
    *seen = std::to_string(st->counter.raw());
    if (check)
        m.check(st->counter.raw() == 2, "lost update: the counter is %llu",
                static_cast<unsigned long long>(st->counter.raw()));
}

TEST(Dpor, RunsOneScheduleOfEachTraceWhereDfsRunsEverySchedule) {
    Scenario s = program(
        "independent", 2, [](Machine& m, std::string* seen) { shared_then_private_stores(m, seen, false); },
        nullptr);
    ExploreReport dfs = explore_all(s, "dfs");
    ASSERT_FALSE(dfs.failed()) << dfs.failure_text();
    EXPECT_TRUE(dfs.exhausted);
    EXPECT_EQ(dfs.runs, 70u);
    EXPECT_EQ(dfs.distinct, 2u) << "the fingerprint tells apart only the order of the additions";
    ExploreReport dpor = explore_all(s, "dpor");
    ASSERT_FALSE(dpor.failed()) << dpor.failure_text();
    EXPECT_TRUE(dpor.exhausted);
    EXPECT_EQ(dpor.distinct, 2u);
    EXPECT_EQ(dpor.runs - dpor.pruned, 2u) << "a complete run per trace, no more";
    EXPECT_LT(dpor.runs, 10u) << dpor.runs << " runs, " << dpor.pruned << " pruned";
}

TEST(Dpor, FindsTheLostUpdateAmongIndependentStepsWithFewerSchedulesThanDfs) {
    // The load and store on the counter race; the 6 private stores after them only multiply the schedules,
    // and dfs, which varies the latest decisions first, goes through their orders before it reaches the
    // race; dpor backtracks to the race at once. Traces: the
    // orders of L0 S0 L1 S1 with each CPU's load first and the two loads commuting: L0 S0 L1 S1, L1 S1 L0 S0,
    // and the two with both loads before both stores (the lost update), 4 in all.
    Scenario racy = program(
        "racy", 2, [](Machine& m, std::string* seen) { shared_then_private_stores(m, seen, true); }, nullptr);
    ExploreReport dfs = explore_all(racy, "dfs");
    ExploreReport dpor = explore_all(racy, "dpor");
    ASSERT_TRUE(dfs.failed());
    ASSERT_TRUE(dpor.failed()) << "dpor lost the race on the counter";
    EXPECT_EQ(dpor.failure.verdict, Verdict::check_failed);
    EXPECT_EQ(dpor.failure.message, dfs.failure.message);
    EXPECT_LT(dpor.failing_run, dfs.failing_run)
        << "dpor ran " << dpor.failing_run + 1 << " schedules to the bug, dfs " << dfs.failing_run + 1;
    // The failure line replays, with its schedule and from its run number alone.
    auto line = ReplayLine::parse(dpor.failure_text());
    ASSERT_TRUE(line);
    EXPECT_EQ(line->strategy.name(), "dpor");
    EXPECT_EQ(compare_outcomes(dpor.failure, replay(racy, *line)), "");
    line->schedule.reset();
    EXPECT_EQ(compare_outcomes(dpor.failure, replay(racy, *line)), "");
    // Without the check, exhaustively: dfs runs all 252 schedules, which are 4 traces; dpor one run of each,
    // and both see the counter end at 1 and at 2.
    std::vector<std::string> by_dfs, by_dpor;
    auto unchecked = [](Machine& m, std::string* seen) { shared_then_private_stores(m, seen, true, false); };
    dfs = explore_all(program("racy_unchecked", 2, unchecked, &by_dfs), "dfs");
    dpor = explore_all(program("racy_unchecked", 2, unchecked, &by_dpor), "dpor");
    EXPECT_EQ(dfs.runs, 252u);
    EXPECT_EQ(dfs.distinct, 4u);
    EXPECT_TRUE(dpor.exhausted);
    EXPECT_EQ(dpor.distinct, 4u);
    EXPECT_EQ(dpor.runs - dpor.pruned, 4u);
    EXPECT_EQ(std::set<std::string>(by_dpor.begin(), by_dpor.end()), (std::set<std::string>{"1", "2"}));
    EXPECT_EQ(std::set<std::string>(by_dfs.begin(), by_dfs.end()), (std::set<std::string>{"1", "2"}));
}

// Programs in which every pair of steps that could be reordered is dependent: dpor must run every order.
TEST(Dpor, RunsEveryOrderOfDependentSteps) {
    // Tickets from one counter (read-modify-writes of one location): 2x2 gives 6 orders, 2x3 20, 3x1 6.
    for (auto [cpus, ops, orders] : {std::tuple{2u, 2u, 6u}, {2u, 3u, 20u}, {3u, 1u, 6u}}) {
        std::vector<std::string> seen;
        Scenario s = ticket_program(cpus, ops, &seen);
        ExploreReport r = explore_all(s, "dpor");
        ASSERT_FALSE(r.failed()) << r.failure_text();
        EXPECT_TRUE(r.exhausted);
        EXPECT_EQ(r.distinct, orders);
        EXPECT_EQ(r.pruned, 0u);
        EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), orders) << cpus << "x" << ops;
    }
    // A store and a load of one location (a write and a read are dependent): the load sees 0 or 1.
    std::vector<std::string> seen;
    Scenario store_load = program(
        "store_load", 2,
        [](Machine& m, std::string* out) {
            auto x = std::make_shared<arch::Atomic<int>>(0);
            auto r = std::make_shared<int>(-1);
            m.start(0, [x] { x->store(1); });
            m.start(1, [x, r] { *r = x->load(); });
            m.run();
            *out = std::to_string(*r);
        },
        &seen);
    ExploreReport r = explore_all(store_load, "dpor");
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), (std::set<std::string>{"0", "1"}));
    EXPECT_EQ(r.distinct, 2u);
    // Two stores to one location: the last one wins, either way round.
    seen.clear();
    Scenario store_store = program(
        "store_store", 2,
        [](Machine& m, std::string* out) {
            auto x = std::make_shared<arch::Atomic<int>>(0);
            m.start(0, [x] { x->store(1); });
            m.start(1, [x] { x->store(2); });
            m.run();
            *out = std::to_string(x->raw());
        },
        &seen);
    r = explore_all(store_store, "dpor");
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), (std::set<std::string>{"1", "2"}));
}

// Mixed programs, small enough for dfs to run every schedule: dpor reaches every trace dfs does (the same
// number of distinct fingerprints, all of dpor's complete runs different) and every observable outcome.
struct Mixed {
    const char* name;
    unsigned cpus;
    Program body;
};

std::vector<Mixed> mixed_programs() {
    return {
        {"readers_and_a_writer", 3,
         [](Machine& m, std::string* out) {
             // Two readers of x and y (reads commute) and a writer of y: the readers' values depend on the
             // writer only.
             auto x = std::make_shared<arch::Atomic<int>>(1), y = std::make_shared<arch::Atomic<int>>(0);
             auto seen = std::make_shared<std::array<int, 4>>();
             m.start(0, [=] {
                 (*seen)[0] = x->load();
                 (*seen)[1] = y->load();
             });
             m.start(1, [=] {
                 (*seen)[2] = y->load();
                 (*seen)[3] = x->load();
             });
             m.start(2, [=] { y->store(5); });
             m.run();
             for (int v : *seen) *out += std::to_string(v);
         }},
        {"message_passing", 2,
         [](Machine& m, std::string* out) {
             // data then flag; the reader reads flag then data: (flag, data) in {(0,0), (0,1), (1,1)}.
             auto data = std::make_shared<arch::Atomic<int>>(0),
                  flag = std::make_shared<arch::Atomic<int>>(0);
             auto seen = std::make_shared<std::array<int, 2>>();
             m.start(0, [=] {
                 data->store(1);
                 flag->store(1, arch::MemoryOrder::release);
             });
             m.start(1, [=] {
                 (*seen)[0] = flag->load(arch::MemoryOrder::acquire);
                 (*seen)[1] = data->load();
             });
             m.run();
             *out = std::to_string((*seen)[0]) + std::to_string((*seen)[1]);
         }},
        {"fences_and_private_work", 3,
         [](Machine& m, std::string* out) {
             // Fences and preemption points touch nothing; private stores commute with everything else;
             // the exchanges on z are ordered. 12!/(4!)^3 = 34650 schedules, 3! = 6 traces.
             auto z = std::make_shared<arch::Atomic<int>>(0);
             auto own = std::make_shared<std::array<arch::Atomic<std::uint64_t>, 24>>();
             auto seen = std::make_shared<std::array<int, 3>>();
             for (unsigned c = 0; c < 3; ++c)
                 m.start(c, [=] {
                     (*own)[c * 8].store(1);
                     arch::fence();
                     (*seen)[c] = z->exchange(static_cast<int>(c) + 1);
                     arch::preemption_point();
                 });
             m.run();
             for (int v : *seen) *out += std::to_string(v);
         }},
        {"spin_on_a_flag", 2,
         [](Machine& m, std::string* out) {
             // A spin (cpu_relax is global) waiting for a flag, with private stores around it.
             auto flag = std::make_shared<arch::Atomic<int>>(0);
             auto own = std::make_shared<std::array<arch::Atomic<std::uint64_t>, 16>>();
             m.start(0, [=] {
                 (*own)[0].store(1);
                 while (flag->load() == 0) arch::cpu_relax();
                 (*own)[0].store(2);
             });
             m.start(1, [=] {
                 (*own)[8].store(1);
                 flag->store(1);
                 (*own)[8].store(2);
             });
             m.run();
             *out = "done";
         }},
        {"compare_exchange_claims", 2,
         [](Machine& m, std::string* out) {
             // Two CPUs claim slots of a small table with compare-exchange, as the page table's installs do;
             // each reads its own slot first (independent unless the slots are shared).
             auto slots = std::make_shared<std::array<arch::Atomic<std::uint64_t>, 16>>();
             auto won = std::make_shared<std::array<int, 2>>();
             for (unsigned c = 0; c < 2; ++c)
                 m.start(c, [=] {
                     (void)(*slots)[8 + c * 4].load(); // private
                     std::uint64_t expected = 0;
                     (*won)[c] = (*slots)[0].compare_exchange(expected, c + 1) ? 1 : 0;
                     (void)(*slots)[0].load();
                 });
             m.run();
             *out = std::to_string((*won)[0]) + std::to_string((*won)[1]);
         }},
    };
}

TEST(Dpor, ReachesEveryTraceAndOutcomeThatDfsReaches) {
    for (const Mixed& p : mixed_programs()) {
        std::vector<std::string> by_dfs, by_dpor;
        ExploreReport dfs = explore_all(program(p.name, p.cpus, p.body, &by_dfs), "dfs");
        ExploreReport dpor = explore_all(program(p.name, p.cpus, p.body, &by_dpor), "dpor");
        ASSERT_FALSE(dfs.failed()) << dfs.failure_text();
        ASSERT_FALSE(dpor.failed()) << dpor.failure_text();
        ASSERT_TRUE(dfs.exhausted) << p.name;
        EXPECT_TRUE(dpor.exhausted) << p.name;
        EXPECT_EQ(dpor.distinct, dfs.distinct) << p.name << ": dpor missed traces";
        EXPECT_EQ(dpor.runs - dpor.pruned, dpor.distinct) << p.name << ": dpor ran a trace twice";
        EXPECT_LE(dpor.runs, dfs.runs) << p.name;
        EXPECT_EQ(std::set<std::string>(by_dpor.begin(), by_dpor.end()),
                  std::set<std::string>(by_dfs.begin(), by_dfs.end()))
            << p.name;
    }
}

TEST(Dpor, TheRunIndexIsItsSeed) {
    std::vector<std::string> orders;
    Scenario s = ticket_program(2, 2, &orders);
    explore_all(s, "dpor");
    const std::vector<std::string> expected = orders;
    for (std::uint64_t k = 0; k < expected.size(); ++k) {
        orders.clear();
        ReplayLine line{s.name, *StrategySpec::parse("dpor"), k, false, s.config.step_budget, std::nullopt};
        replay(s, line); // runs the enumeration up to run k
        EXPECT_EQ(orders.back(), expected[k]) << "run " << k;
    }
}

// The fingerprint and the races of HappensBefore itself, event by event.
TEST(HappensBefore, TheFingerprintIgnoresTheOrderOfIndependentEventsOnly) {
    std::uint64_t cells[2] = {}; // one 8-byte granule each
    const Access rx = Access::at(Access::Kind::read, &cells[0]),
                 wx = Access::at(Access::Kind::write, &cells[0]),
                 wy = Access::at(Access::Kind::write, &cells[1]);
    auto fingerprint = [](std::vector<std::pair<unsigned, Access>> events) {
        HappensBefore hb(2);
        for (auto [p, a] : events) hb.add(p, a, 0, nullptr);
        return hb.fingerprint();
    };
    // Different locations, or two reads: either order is one trace.
    EXPECT_EQ(fingerprint({{0, wx}, {1, wy}}), fingerprint({{1, wy}, {0, wx}}));
    EXPECT_EQ(fingerprint({{0, rx}, {1, rx}}), fingerprint({{1, rx}, {0, rx}}));
    // A write and a read or a write of the same location, or anything with a global step: two traces.
    EXPECT_NE(fingerprint({{0, wx}, {1, rx}}), fingerprint({{1, rx}, {0, wx}}));
    EXPECT_NE(fingerprint({{0, wx}, {1, wx}}), fingerprint({{1, wx}, {0, wx}}));
    EXPECT_NE(fingerprint({{0, Access{}}, {1, wy}}), fingerprint({{1, wy}, {0, Access{}}}));
    // A `none` step commutes even with a global one.
    const Access nothing{Access::Kind::none, 0};
    EXPECT_EQ(fingerprint({{0, nothing}, {1, Access{}}}), fingerprint({{1, Access{}}, {0, nothing}}));
}

TEST(HappensBefore, ReportsOnlyImmediateRacesWithEventsNotAlreadyOrdered) {
    std::uint64_t x = 0;
    const Access rx = Access::at(Access::Kind::read, &x), wx = Access::at(Access::Kind::write, &x);
    HappensBefore hb(3);
    std::vector<std::uint32_t> races;
    const std::uint32_t w0 = hb.add(0, wx, 0, &races); // cpu0 writes x
    EXPECT_TRUE(races.empty());
    const std::uint32_t r1 = hb.add(1, rx, 0, &races); // cpu1 reads it: races with the write
    EXPECT_EQ(races, (std::vector<std::uint32_t>{w0}));
    races.clear();
    const std::uint32_t r2 = hb.add(2, rx, 0, &races); // cpu2 too (reads do not order reads)
    EXPECT_EQ(races, (std::vector<std::uint32_t>{w0}));
    races.clear();
    hb.add(0, wx, 0, &races); // cpu0 writes again: races with both reads, not with its own write
    EXPECT_EQ(std::set<std::uint32_t>(races.begin(), races.end()), (std::set<std::uint32_t>{r1, r2}));
    EXPECT_TRUE(hb.before(w0, r1));
    EXPECT_FALSE(hb.before(r1, r2));
    races.clear();
    hb.add(1, rx, 0, &races); // cpu1 reads again: only the latest write races (the first is ordered)
    EXPECT_EQ(races.size(), 1u);
}

} // namespace
} // namespace hostsim
