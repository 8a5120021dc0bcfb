// Sharded exploration's reports and their merge (hostsim/shard_report.hpp).
#include "hostsim/shard_report.hpp"

#include <gtest/gtest.h>

namespace hostsim {
namespace {

ShardReport shard(std::uint64_t i, std::uint64_t n, std::uint64_t total, std::uint64_t runs) {
    ShardReport r;
    r.scenario = "planted.lost_update";
    r.strategy = "pct3";
    r.seed = 7;
    r.total = total;
    r.shard = i;
    r.shards = n;
    r.runs = runs;
    r.steps = runs * 10;
    return r;
}

TEST(ShardReport, RoundTripsThroughItsText) {
    ShardReport r = shard(1, 3, 100, 33);
    r.failure = "planted.lost_update pct3 seed=42 sc budget=100000";
    r.failure_text = "FAIL ... -- check_failed: lost";
    std::string error;
    auto back = ShardReport::parse(r.format(), error);
    ASSERT_TRUE(back) << error;
    EXPECT_EQ(back->format(), r.format());
    EXPECT_FALSE(ShardReport::parse("scenario=x\nstrategy=y\nseed=1\n", error));
    EXPECT_FALSE(ShardReport::parse(shard(3, 3, 9, 3).format(), error)) << "shard 3 of 3 does not exist";
}

TEST(ShardReport, MergeSumsCompleteShardsAndKeepsFailures) {
    // 10 runs in 3 shards: shares 4, 3, 3.
    std::vector<ShardReport> rs = {shard(2, 3, 10, 3), shard(0, 3, 10, 4), shard(1, 3, 10, 2)};
    rs[2].failure = "line";
    MergedReport m = merge_reports(rs);
    EXPECT_EQ(m.problem, "");
    EXPECT_EQ(m.runs, 9u);
    ASSERT_EQ(m.failed.size(), 1u);
    EXPECT_EQ(m.failed[0]->shard, 1u);
}

TEST(ShardReport, MergeRefusesIncompleteOrMixedShards) {
    EXPECT_NE(merge_reports({shard(0, 2, 10, 5)}).problem, "") << "shard 1 missing";
    EXPECT_NE(merge_reports({shard(0, 2, 10, 5), shard(0, 2, 10, 5)}).problem, "") << "twice";
    EXPECT_NE(merge_reports({shard(0, 2, 10, 4), shard(1, 2, 10, 5)}).problem, "") << "short of its share";
    std::vector<ShardReport> mixed = {shard(0, 2, 10, 5), shard(1, 2, 10, 5)};
    mixed[1].seed = 8;
    EXPECT_NE(merge_reports(mixed).problem, "") << "another seed";
    EXPECT_NE(merge_reports({}).problem, "");
}

} // namespace
} // namespace hostsim
