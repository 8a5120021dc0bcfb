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
//   dpor        unbounded depth-first enumeration with partial-order reduction: source-DPOR backtracking
//               (Abdulla et al., POPL 2014) over the happens-before relation of the steps' accesses, and
//               sleep sets (Godefroid 1996). It runs one schedule of each Mazurkiewicz trace (schedules that
//               differ only in the order of independent steps are one trace), plus runs it stops early
//               because every way on is equivalent to a schedule already run ("pruned"); see
//               strategy_trace.hpp;
//   replay      follows a recorded schedule and reports any divergence.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hostsim/choice.hpp"
#include "hostsim/strategy_trace.hpp"

namespace hostsim {

/// A CPU arriving at a scheduling point, as Strategy::parked sees it.
struct Park {
    unsigned cpu = 0;
    Access next;              ///< what its next step does
    bool run_start = false;   ///< no step taken yet in this Machine::run: the host ran since the last step
    bool global_mode = false; ///< the machine is outside what the reduction models: every step is global
};

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

    /// Strategies that follow what every step does (partial-order reduction, trace fingerprints) set this;
    /// only then does the machine call parked() and stepped(), at every scheduling point, decisions or not.
    bool observes_steps() const { return observes_steps_; }
    /// The executing CPU parked at a scheduling point.
    virtual void parked(const Park&) {}
    /// `c` takes a step now: a CPU (the step parked() announced, or, if `interrupted`, taking a pending
    /// interrupt first) or a store buffer's drain. After pick() at decisions; alone where there was one
    /// option. False stops the run (a divergence whose message says why, e.g. pruned by the reduction).
    virtual bool stepped(Choice, bool interrupted) { return true; }

protected:
    bool observes_steps_ = false;
};

/// The choice of a fair non-preemptive scheduler: the current CPU goes on if it can; otherwise the next CPU
/// after it in cyclic order; otherwise (only drains left) the first option.
std::size_t default_pick(const Decision& d);

/// Which strategy, with its parameters, as written in replay lines: "random", "pct3", "pct3-k40", "dfs2",
/// "dfs", "dpor".
struct StrategySpec {
    enum class Kind : std::uint8_t { random, pct, dfs, dpor };
    Kind kind = Kind::random;
    unsigned depth = 3;      ///< pct: depth d; dfs: preemption bound (unbounded_preemptions for none)
    std::uint64_t steps = 0; ///< pct: the estimate k of decisions per run; 0 = measure it first

    static constexpr unsigned unbounded_preemptions = ~0u;

    std::string name() const;
    static std::optional<StrategySpec> parse(std::string_view text);
};

/// A fresh strategy for one run with the given seed (random, pct) or a shared enumerator (dfs, dpor, see
/// below).
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

/// The part of a strategy that follows every step in a HappensBefore: what each parked CPU will do, the
/// Machine::run boundaries, and the machine leaving what the reduction models in the middle of a step
/// (then that step counts as global, see HappensBefore::make_global).
class TracedStrategy : public Strategy {
public:
    explicit TracedStrategy(unsigned cpus) : hb_(cpus) { observes_steps_ = true; }
    void parked(const Park& p) override;
    /// The current execution's happens-before relation; its fingerprint names its trace.
    const HappensBefore& trace() const { return hb_; }

protected:
    /// What the step of `c` does: its CPU's parked access, or global.
    Access effective(Choice c, bool interrupted) const;
    /// Adds the step of `c` as an event; its races go to `races` (may be null).
    std::uint32_t record(Choice c, bool interrupted, std::vector<std::uint32_t>* races);
    /// The latest event (by the CPU now parking) became global; make_global's races are in `races`.
    virtual void upgraded(std::uint32_t event) {}
    void restart(); // a new execution

    HappensBefore hb_;
    std::array<Access, max_sim_cpus> pending_{}; // per CPU: what its next step does
    bool global_mode_ = false;
    std::vector<std::uint32_t> races_;
};

/// Any strategy, with the trace of each run followed on the side: how the explorer counts distinct traces
/// (ExploreOptions::count_traces). Call restart() before each run.
class TracingStrategy final : public TracedStrategy {
public:
    TracingStrategy(Strategy* inner, unsigned cpus) : TracedStrategy(cpus), inner_(inner) {}
    using TracedStrategy::restart;
    std::size_t pick(const Decision& d) override { return inner_->pick(d); }
    bool stepped(Choice c, bool interrupted) override {
        record(c, interrupted, nullptr);
        return true;
    }
    std::string divergence() const override { return inner_->divergence(); }
    bool complete() override { return inner_->complete(); }

private:
    Strategy* inner_;
};

/// Depth-first enumeration with partial-order reduction (strategy_dfs.cpp), used like DfsStrategy:
/// begin_run() before each run, next() after it. A run that reaches a state where every option is asleep
/// (each way on is equivalent to a schedule already run) stops there: pick() or stepped() returns the stop,
/// and pruned() is true until the next begin_run(). Complete runs are pairwise different traces.
///
/// Sound for sequentially consistent runs whose shared state is what the contract's atomics touch (see
/// Access). The machine reports as global every step while it is outside that (x86-TSO, armed timers,
/// devices on the port bus, user mode); then dpor runs every schedule, as dfs does. Virtual time read
/// through arch::time_now() is not tracked: a scenario whose code reads it must not use dpor.
class DporStrategy final : public TracedStrategy {
public:
    explicit DporStrategy(unsigned cpus) : TracedStrategy(cpus), cpus_(cpus) {}

    void begin_run();
    void parked(const Park& p) override;
    std::size_t pick(const Decision& d) override;
    bool stepped(Choice c, bool interrupted) override;
    std::string divergence() const override { return divergence_; }
    /// Prepares the next schedule; false when every trace has been run.
    bool next();
    /// The run stopped because every way on was equivalent to a schedule already run.
    bool pruned() const { return pruned_; }

private:
    struct Frame {
        std::uint64_t options = 0; ///< entity() bits of the options
        std::uint64_t sleep = 0;   ///< asleep on arrival: explored elsewhere, independent of what came since
        std::uint64_t backtrack = 0;     ///< to be explored from here (source-DPOR's backtrack set)
        std::uint64_t done = 0;          ///< explored from here
        std::uint64_t turned_global = 0; ///< explored options whose step turned out global (parked())
        std::uint32_t first = 0;         ///< its options: option_pool_[first, first + count)
        std::uint32_t count = 0;
        Choice taken; ///< the option of the current prefix
    };
    void race(std::uint32_t earlier, std::uint32_t later);
    bool prune(const char* where);
    void upgraded(std::uint32_t event) override;

    unsigned cpus_;
    std::vector<Frame> stack_;
    std::vector<Choice> option_pool_;
    std::array<Access, 64> option_access_{}; // per entity: what its step does, at the latest decision
    std::size_t depth_ = 0;
    std::int64_t pending_frame_ = -1;    // the frame whose pick() precedes the next stepped()
    std::vector<std::int32_t> frame_of_; // per event of this run: the frame it was chosen at, or -1
    std::uint64_t sleep_ = 0;            // the current sleep set (entity bits), with their accesses:
    std::array<Access, 64> sleep_access_{};
    bool pruned_ = false;
    std::string divergence_;
};

} // namespace hostsim
