// Scheduling strategies: who runs at each decision point.
//
// A strategy sees only decision points with at least two options (hostsim/choice.hpp) and returns the index
// of the option to take. Strategies are deterministic given their parameters and seed, so a run is a pure
// function of (scenario, strategy, seed). They are:
//   random      uniform among the options at every decision;
//   pct<d>      probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010): random priorities,
//               d-1 priority change points over an estimated k decisions; finds a bug of depth d with
//               probability at least 1/(n k^(d-1)) per run;
//   dfs<p>      bounded-exhaustive depth-first enumeration of all schedules with at most p preemptions
//               (a preemption is choosing another option while the current CPU could go on; "dfs" alone is
//               unbounded);
//   replay      follows a recorded schedule and reports any divergence.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hostsim/choice.hpp"

namespace hostsim {

class Strategy {
public:
    static constexpr std::size_t diverged = static_cast<std::size_t>(-1);

    virtual ~Strategy() = default;
    /// Index into d.options, or `diverged` when the run no longer matches what the strategy expects.
    virtual std::size_t pick(const Decision& d) = 0;
    /// Why pick() returned `diverged`, or why the run ended too early for the strategy.
    virtual std::string divergence() const { return {}; }
    /// Called when the scenario execution ends; false if the strategy expected more decisions.
    virtual bool complete() { return true; }
};

/// The choice of a fair non-preemptive scheduler: the current CPU goes on if it can; otherwise the next CPU
/// after it in cyclic order; otherwise (only drains left) the first option.
std::size_t default_pick(const Decision& d);

/// Which strategy, with its parameters, as written in replay lines: "random", "pct3", "pct3-k40", "dfs2",
/// "dfs".
struct StrategySpec {
    enum class Kind : std::uint8_t { random, pct, dfs };
    Kind kind = Kind::random;
    unsigned depth = 3;      ///< pct: depth d; dfs: preemption bound (unbounded_preemptions for none)
    std::uint64_t steps = 0; ///< pct: the estimate k of decisions per run; 0 = measure it first

    static constexpr unsigned unbounded_preemptions = ~0u;

    std::string name() const;
    static std::optional<StrategySpec> parse(std::string_view text);
};

/// A fresh strategy for one run with the given seed (random, pct) or a shared enumerator (dfs, see below).
std::unique_ptr<Strategy> make_random(std::uint64_t seed);
std::unique_ptr<Strategy> make_pct(unsigned depth, std::uint64_t steps, std::uint64_t seed);
std::unique_ptr<Strategy> make_replay(std::vector<Choice> schedule);

/// Depth-first enumeration across runs: begin_run() before each run, next() after it.
class DfsStrategy final : public Strategy {
public:
    explicit DfsStrategy(unsigned preemption_bound) : bound_(preemption_bound) {}

    void begin_run() { depth_ = 0; }
    std::size_t pick(const Decision& d) override;
    std::string divergence() const override { return divergence_; }
    /// Prepares the next schedule; false when every schedule within the bound has been run.
    bool next();

private:
    struct Frame {
        std::vector<Choice> options;
        std::vector<std::size_t> order; ///< default choice first, then the others by index
        std::size_t tried = 0;          ///< position in `order` of the option taken in the current prefix
        int current = -1;
        bool current_enabled = false;
        unsigned preemptions_before = 0;
    };
    unsigned cost(const Frame& f, std::size_t option) const;

    unsigned bound_;
    std::vector<Frame> stack_;
    std::size_t depth_ = 0;
    std::string divergence_;
};

} // namespace hostsim
