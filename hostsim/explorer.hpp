// The schedule explorer: runs a scenario under a strategy many times and reports the first failure as a
// replay line (hostsim/replay_line.hpp). A failing run is executed once more from its recorded schedule and
// once more from its strategy and seed; if either differs, the report says so (nondeterminism is a bug of its
// own: something outside the machine — host time, addresses, global state — steers the scenario).
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "hostsim/machine.hpp"
#include "hostsim/replay_line.hpp"
#include "hostsim/scenario.hpp"

namespace hostsim {

struct ExploreOptions {
    StrategySpec strategy;
    std::uint64_t runs = 1000;
    std::uint64_t seed = 1;  ///< base seed; run i uses run_seed(seed, i) (dfs, dpor: i itself)
    std::optional<bool> tso; ///< overrides the scenario's memory model
    std::optional<std::uint64_t> step_budget;
    bool recheck = true; ///< re-run a failure to prove it deterministic
    /// Sharding for batch systems: this explore() makes only the runs i < runs with i % shards == shard, so
    /// shards 0..shards-1 together make exactly the runs one unsharded explore() would (same seeds, so a
    /// failure line from any shard replays anywhere). Seeded strategies only (not dfs or dpor).
    std::uint64_t shard = 0;
    std::uint64_t shards = 1;
    /// Follow each run's happens-before relation and count the distinct traces among the runs
    /// (ExploreReport::distinct). Costs time per step; dpor always counts.
    bool count_traces = false;
};

struct ExploreReport {
    std::uint64_t runs = 0;   ///< executions made (not counting re-checks), pruned ones included
    bool exhausted = false;   ///< dfs: every schedule within the bound was run; dpor: every trace
    std::uint64_t pruned = 0; ///< dpor: runs stopped because every way on was a trace already run
    /// Distinct Mazurkiewicz traces among the complete runs (dpor, or with ExploreOptions::count_traces):
    /// runs that differ only in the order of independent steps count once.
    std::uint64_t distinct = 0;
    std::optional<ReplayLine> line; ///< set on failure
    Outcome failure;                ///< the failing execution
    std::uint64_t failing_run = 0;  ///< its index
    std::string nondeterminism;     ///< non-empty if a re-run of the failure turned out differently
    std::uint64_t pct_steps = 0;    ///< pct: the measured estimate k
    std::uint64_t steps = 0;        ///< scheduling points passed in all runs (not counting re-checks)
    double seconds = 0;             ///< wall-clock time, for reporting only

    bool failed() const { return line.has_value(); }
    /// "FAIL <line> -- <verdict>: <message>" (plus a nondeterminism note), or "" if nothing failed.
    std::string failure_text() const;
};

/// If the environment has JANUS_SIM_REPLAY=<line>, explore() does not explore: it replays the line when it
/// names this scenario (JANUS_SIM_TRACE=1 adds the trace) and does nothing otherwise. That is how
/// `./janus sim replay` reaches scenarios that live in a module's own test program.
ExploreReport explore(const Scenario& scenario, const ExploreOptions& options);

/// One execution as `line` describes it: its schedule if it has one, else its strategy and seed. `trace`
/// receives the machine's step-by-step trace, `console` what the kernel printed.
Outcome replay(const Scenario& scenario, const ReplayLine& line, std::FILE* trace = nullptr,
               std::string* console = nullptr);

/// Replays the line found in `text` (a whole failure line works) on `scenario`, printing to `out`: the line,
/// the kernel console, the step-by-step trace if `trace`, the outcome as a failure line, and — if `text`
/// carried the original failure after " -- " — whether it was reproduced. Returns 1 if the run failed, else
/// 0.
int replay_and_report(const Scenario& scenario, const std::string& text, bool trace, std::FILE* out);

/// Executes the scenario body once on `m` under `strategy` (null: the fair non-preemptive default).
Outcome execute(const Scenario& scenario, Machine& m, Strategy* strategy);

/// Empty if `a` and `b` are the same execution; otherwise what differs.
std::string compare_outcomes(const Outcome& a, const Outcome& b);

} // namespace hostsim
