// The textual forms: schedule strings, strategy names and replay lines (hostsim/schedule.hpp,
// hostsim/strategy.hpp, hostsim/replay_line.hpp). Expected strings are written out from the documented
// format.
#include <gtest/gtest.h>

#include "hostsim/replay_line.hpp"
#include "hostsim/schedule.hpp"

namespace hostsim {
namespace {

const Choice a = Choice::run_cpu(0), b = Choice::run_cpu(1), c = Choice::run_cpu(2), A = Choice::drain_cpu(0);

TEST(Schedule, RunsOfOneLetterAreCounted) {
    std::vector<Choice> s{a, a, a, b, A, a, a};
    EXPECT_EQ(encode_schedule(s), "a3bAa2");
    EXPECT_EQ(encode_schedule({}), "");
    std::vector<Choice> twelve(12, c);
    EXPECT_EQ(encode_schedule(twelve), "c12");
}

TEST(Schedule, DecodeIsTheInverse) {
    auto s = decode_schedule("a3bAa2");
    ASSERT_TRUE(s);
    EXPECT_EQ(*s, (std::vector<Choice>{a, a, a, b, A, a, a}));
    EXPECT_EQ(decode_schedule("c12")->size(), 12u);
    EXPECT_EQ(decode_schedule("")->size(), 0u);
}

TEST(Schedule, MalformedStringsAreRejected) {
    EXPECT_FALSE(decode_schedule("a1")); // a count of one is never written
    EXPECT_FALSE(decode_schedule("a0"));
    EXPECT_FALSE(decode_schedule("3a")); // a count needs a letter
    EXPECT_FALSE(decode_schedule("a-"));
    EXPECT_FALSE(decode_schedule("a9999999999"));
}

TEST(StrategySpec, NamesRoundTrip) {
    for (const char* name : {"random", "pct1", "pct3", "pct3-k40", "dfs", "dfs0", "dfs2", "dpor"}) {
        auto s = StrategySpec::parse(name);
        ASSERT_TRUE(s) << name;
        EXPECT_EQ(s->name(), name);
    }
    EXPECT_EQ(StrategySpec::parse("pct3-k40")->steps, 40u);
    EXPECT_EQ(StrategySpec::parse("dfs2")->depth, 2u);
    EXPECT_EQ(StrategySpec::parse("dpor")->kind, StrategySpec::Kind::dpor);
    for (const char* bad : {"", "pct", "pct0", "pct3-k", "pct3-k0", "dfs-1", "rand", "dfsx", "dpor1", "dpo"})
        EXPECT_FALSE(StrategySpec::parse(bad)) << bad;
}

TEST(ReplayLine, FormatsAsOneWordAndParsesBack) {
    ReplayLine line;
    line.scenario = "planted.dekker";
    line.strategy = *StrategySpec::parse("pct3-k12");
    line.seed = 77521;
    line.tso = true;
    line.step_budget = 100000;
    line.schedule = std::vector<Choice>{a, a, b, A, A, a, b};
    std::string text = line.format();
    EXPECT_EQ(text, "planted.dekker,pct3-k12,seed=77521,tso,budget=100000,sched=a2bA2ab");
    auto back = ReplayLine::parse(text);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->format(), text);
    EXPECT_EQ(*back->schedule, *line.schedule);
}

TEST(ReplayLine, IsFoundInAWholeFailureLine) {
    auto line = ReplayLine::parse(
        "FAIL planted.lost_update,random,seed=5,sc,budget=100,sched=ab2 -- check failed: counter is 1");
    ASSERT_TRUE(line);
    EXPECT_EQ(line->scenario, "planted.lost_update");
    EXPECT_EQ(line->seed, 5u);
    EXPECT_FALSE(line->tso);
    EXPECT_EQ(line->step_budget, 100u);
    EXPECT_EQ(line->schedule->size(), 3u);
}

TEST(ReplayLine, WithoutScheduleStillReplaysBySeed) {
    auto line = ReplayLine::parse("x.y,dfs1,seed=9,sc,budget=7");
    ASSERT_TRUE(line);
    EXPECT_FALSE(line->schedule);
    EXPECT_EQ(line->strategy.depth, 1u);
}

TEST(ReplayLine, IncompleteOrForeignWordsAreRejected) {
    EXPECT_FALSE(ReplayLine::parse("FAIL something went wrong"));
    EXPECT_FALSE(ReplayLine::parse("x,random,seed=1,budget=5"));   // no memory model
    EXPECT_FALSE(ReplayLine::parse("x,random,seed=1,sc"));         // no budget
    EXPECT_FALSE(ReplayLine::parse("x,bogus,seed=1,sc,budget=5")); // unknown strategy
    EXPECT_FALSE(ReplayLine::parse("x,random,seed=1,sc,budget=5,sched=a1"));
    EXPECT_FALSE(ReplayLine::parse("x,random,seed=1,sc,budget=5,colour=red"));
}

} // namespace
} // namespace hostsim
