// Sharded exploration for batch systems (a CI matrix, a cluster): `janus_sim explore NAME --shard I/N
// --report FILE` makes shard I of N (ExploreOptions::shard) and writes what it did to FILE; `janus_sim merge
// FILE...` reads every shard's report, checks that they are the shards 0..N-1 of one exploration (same
// scenario, strategy, seed, run count), and sums them up. A failure line from any shard replays locally as it
// is, since a shard's runs keep the seeds an unsharded exploration would give them.
//
// The report is plain text, one `key=value` per line, so any batch system can carry it as an artifact.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hostsim {

struct ShardReport {
    std::string scenario;
    std::string strategy;     ///< StrategySpec::name()
    std::uint64_t seed = 0;   ///< the exploration's base seed
    std::uint64_t total = 0;  ///< runs of the whole exploration (--runs)
    std::uint64_t shard = 0;  ///< I of I/N
    std::uint64_t shards = 1; ///< N
    std::uint64_t runs = 0;   ///< runs this shard made (fewer than its share if it stopped at a failure)
    std::uint64_t steps = 0;
    double seconds = 0;
    std::string failure;      ///< the replay line of its failure, "" if none
    std::string failure_text; ///< what failed

    std::string format() const;
    /// Nullopt (and `error` says why) unless `text` is a complete report.
    static std::optional<ShardReport> parse(const std::string& text, std::string& error);
};

struct MergedReport {
    std::string problem; ///< non-empty: the reports are not the complete shards of one exploration
    std::uint64_t runs = 0, steps = 0;
    double seconds = 0; ///< summed over shards (machine time, not wall time)
    std::vector<const ShardReport*> failed;
};

MergedReport merge_reports(const std::vector<ShardReport>& reports);

} // namespace hostsim
