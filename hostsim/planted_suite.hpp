// The planted-bug self-test of the explorer (`janus_sim planted`, `./janus sim planted`): for every planted
// bug (hostsim/planted/), exploring it within its stated budget must find the expected failure, its printed
// line must replay the identical failure, and the fixed version must survive the same budget.
#pragma once

#include <cstdio>
#include <string>

#include "hostsim/explorer.hpp"

namespace hostsim {

struct PlantedResult {
    bool passed = false;
    std::string line; ///< one line describing the case
};

/// Runs one planted case (a scenario with expect != pass); `fixed` may be null.
PlantedResult run_planted_case(const Scenario& bug, const Scenario* fixed);

/// Runs every planted case, printing one line per case and "N passed, N failed"; returns the failures.
int run_planted_suite(std::FILE* out);

} // namespace hostsim
