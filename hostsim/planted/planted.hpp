// Planted bugs: small concurrent programs outside the kernel, each with a known bug that the explorer must
// find and a fixed version that must survive the same budget. `janus_sim planted` runs them all
// (hostsim/planted_suite.hpp).
#pragma once

#include "hostsim/scenario.hpp"

namespace hostsim::planted {

/// Registers scenario planted.<name> (the bug; exploring it with `budget` must fail with `verdict`) and
/// planted.<name>_fixed (must survive the same budget). `body` builds the program, fixed or not.
bool plant(const char* name, const char* description, Config config, Budget budget, Verdict verdict,
           void (*body)(Machine& m, bool fixed));

inline Config small_machine(unsigned cpus, bool tso = false) {
    Config c;
    c.cpus = cpus;
    c.tso = tso;
    c.memory_bytes = 0; // the planted programs live in host memory
    c.step_budget = 10'000;
    return c;
}

} // namespace hostsim::planted
