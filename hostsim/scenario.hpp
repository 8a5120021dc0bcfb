// Scenarios: named concurrent programs for the schedule explorer.
//
// A scenario's body is one execution on a fresh machine: it makes the shared state, gives CPUs code
// (Machine::start), runs them (Machine::run) and checks the end state (Machine::check). The explorer calls it
// once per schedule, so everything it uses must be made inside it. Registered scenarios are known by name to
// `janus_sim` (replay, explore, planted) and each becomes a ctest case sim.<name> (hostsim/README.md).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "hostsim/machine.hpp"
#include "hostsim/strategy.hpp"

namespace hostsim {

using ScenarioBody = std::function<void(Machine&)>;

/// How much exploration: a strategy and a number of runs (for dfs: at most that many).
struct Budget {
    StrategySpec strategy;
    std::uint64_t runs = 1000;
};

struct Scenario {
    std::string name;        ///< "group.case": ctest sim.group.case; planted bugs live in group "planted"
    std::string description; ///< one line, shown by `janus_sim list`
    Config config;           ///< CPUs, TSO, step budget (memory_bytes: keep it small if the body uses RAM)
    ScenarioBody body;
    std::vector<Budget> plan; ///< what its ctest runs, each budget in turn
    /// A planted bug: the plan must find a failure of this kind, and its line must replay it identically.
    /// Verdict::pass for scenarios that must survive their plan.
    Verdict expect = Verdict::pass;
    /// Failure lines name strategy and seed only, without the schedule string: for scenarios whose runs take
    /// millions of decisions (a whole boot), where the string would be megabytes. The seed regenerates the
    /// run, which the explorer's re-check proves. Not for dfs (its runs have no seed).
    bool seed_only_lines = false;
};

/// Adds `s` to the registry (call from a static initialiser); returns true. Names must be unique.
bool register_scenario(Scenario s);
const Scenario* find_scenario(std::string_view name);
/// Every registered scenario, sorted by name.
std::vector<const Scenario*> all_scenarios();

} // namespace hostsim
