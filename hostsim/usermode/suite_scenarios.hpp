// The ring-3 suite on hostsim as registered scenarios (suite_scenarios.cpp) and what their checks share with
// the usermode tests and `janus_sim boot`.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>

#include "hostsim/scenario.hpp"
#include "hostsim/usermode/unicorn_user_mode.hpp"

namespace hostsim::usermode {

#ifndef JANUS_ROOT_SUITE_MIN
#error "JANUS_ROOT_SUITE_MIN comes from the top-level CMakeLists.txt (janus_sim_usermode passes it on)"
#endif
/// The suite has at least this many tests: the same minimum QEMU's runs are held to (one number for both).
inline constexpr std::size_t min_suite_tests = JANUS_ROOT_SUITE_MIN;

/// The root task ELF the scenarios boot: JANUS_SIM_ROOTTASK, else this build's user/roottask.elf.
std::string roottask_path();

/// QEMU's per-test results (JANUS_USERMODE_REFERENCE: lines "pass NAME" / "FAIL NAME", written by
/// hwtest/qemu_boot.py --results), or nullopt without the variable. `problem` says why a named file failed.
std::optional<std::map<std::string, std::string>> reference_results(std::string& problem);

/// The suite on `cpus` simulated CPUs (registered as usermode.suite_cpus1 .. _cpus4).
Scenario suite_scenario(unsigned cpus);
inline constexpr unsigned max_suite_cpus = 4;

/// What the latest suite boot in this process did (for janus_sim boot and bench_usermode).
struct SuiteReport {
    UnicornUserMode::Stats stats;
    std::uint64_t virtual_ns = 0;
    std::size_t passed = 0, failed = 0;
};
const SuiteReport& last_suite_report();

/// Empty if both runs have the same tests with the same verdicts; otherwise every difference.
std::string compare_results(const std::map<std::string, std::string>& hostsim,
                            const std::map<std::string, std::string>& qemu);

/// What the last system scenario's consoles lacked against user/system/<image>.expect (system_scenarios.cpp);
/// empty if nothing.
const std::string& last_system_problem();

} // namespace hostsim::usermode
