// Small helpers the explorer's own tests share: a machine configuration, a scenario from a body, and an
// exploration with a named strategy. Test code only.
#pragma once

#include <cstdint>
#include <utility>

#include "hostsim/explorer.hpp"

namespace hostsim::test_support {

/// `n` CPUs, no simulated RAM, `budget` scheduling points per run.
inline Config cpus(unsigned n, std::uint64_t budget = Config{}.step_budget) {
    Config c;
    c.cpus = n;
    c.memory_bytes = 0;
    c.step_budget = budget;
    return c;
}

inline Scenario scenario(const char* name, Config config, ScenarioBody body) {
    Scenario s;
    s.name = name;
    s.config = config;
    s.body = std::move(body);
    return s;
}

/// `runs` runs of `s` under `strategy` (a StrategySpec name such as "pct3" or "dfs").
inline ExploreReport explore_with(const Scenario& s, const char* strategy, std::uint64_t runs) {
    ExploreOptions o;
    o.strategy = *StrategySpec::parse(strategy);
    o.runs = runs;
    return explore(s, o);
}

} // namespace hostsim::test_support
