// The ring-3 suite as schedule-explorer scenarios: the root task ELF the bare-metal boot loads
// (user/roottask, byte for byte the one in the x86_64 build) boots on hostsim with 1, 2 or 4 CPUs, under
// whatever strategy and seed the explorer gives it, and must end with every test passed; with a reference
// (the QEMU run's per-test results, JANUS_USERMODE_REFERENCE) the results must be the same test by test.
// A failure is a replay line like any other scenario's (`./janus sim replay LINE`).
//
//   usermode.suite_cpus1 / _cpus2 / _cpus4   the suite
//   usermode.planted_lost_shootdown          2 CPUs with shootdowns reaching only the CPU that asks: a thread
//                                            on the other CPU keeps a revoked page; its next use must be
//                                            reported as a stale access
#include "hostsim/usermode/suite_scenarios.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "hostsim/scenario.hpp"
#include "hostsim/tlb_contract.hpp"
#include "hostsim/usermode/sim_boot.hpp"

namespace hostsim::usermode {

std::string roottask_path() {
    if (const char* p = std::getenv("JANUS_SIM_ROOTTASK")) return p;
    return JANUS_USER_ELF_DIR "/roottask.elf";
}

std::optional<std::map<std::string, std::string>> reference_results(std::string& problem) {
    const char* path = std::getenv("JANUS_USERMODE_REFERENCE");
    if (!path) return std::nullopt;
    std::ifstream in(path);
    if (!in) {
        problem = std::string("cannot read the reference results ") + path;
        return std::map<std::string, std::string>{};
    }
    std::map<std::string, std::string> out;
    std::string verdict, name;
    while (in >> verdict >> name) out[name] = verdict;
    if (out.empty()) problem = std::string("no results in the reference ") + path;
    return out;
}

std::string compare_results(const std::map<std::string, std::string>& hostsim,
                            const std::map<std::string, std::string>& qemu) {
    std::ostringstream diff;
    for (const auto& [name, verdict] : qemu) {
        auto it = hostsim.find(name);
        if (it == hostsim.end())
            diff << name << ": " << verdict << " on QEMU, not run on hostsim; ";
        else if (it->second != verdict)
            diff << name << ": " << verdict << " on QEMU, " << it->second << " on hostsim; ";
    }
    for (const auto& [name, verdict] : hostsim)
        if (!qemu.count(name)) diff << name << ": " << verdict << " on hostsim, not run on QEMU; ";
    return diff.str();
}

namespace {

SuiteReport last_report;

/// Simulated CPUs may spin for the kernel lock and every kernel atomic is a step: budgets are large.
Config boot_config(unsigned cpus) {
    Config c;
    c.cpus = cpus;
    c.memory_bytes = boot_memory;
    c.step_budget = 2'000'000'000;
    c.time_budget = 600'000'000'000; // 10 minutes of virtual time: the suite needs about a second
    return c;
}

/// Boots the suite and checks its end: success, every test passed, agreement with the reference.
void run_suite(Machine& m) {
    BootSpec spec;
    spec.module = read_file(roottask_path());
    if (!m.check(!spec.module.empty(), "no root task ELF at %s", roottask_path().c_str())) return;
    BootResult r = boot(m, spec);
    const auto results = suite_results(m.console());
    last_report = SuiteReport{r.stats, m.now(), 0, 0};
    for (const auto& [name, verdict] : results)
        ++(verdict == "pass" ? last_report.passed : last_report.failed);
    if (m.outcome().failed()) return;
    std::string failed;
    for (const auto& [name, verdict] : results)
        if (verdict != "pass") failed += name + " (" + verdict + ") ";
    if (!m.check(failed.empty(), "ring-3 tests did not pass: %s", failed.c_str())) return;
    if (!m.check(r.status == arch::ExitStatus::success && results.size() >= min_suite_tests,
                 "the suite ended without success (%zu tests reported)", results.size()))
        return;
    std::string problem;
    if (auto reference = reference_results(problem)) {
        if (!m.check(problem.empty(), "%s", problem.c_str())) return;
        const std::string diff = compare_results(results, *reference);
        m.check(diff.empty(), "per-test results differ from QEMU's: %s", diff.c_str());
    }
}

} // namespace

const SuiteReport& last_suite_report() {
    return last_report;
}

Scenario suite_scenario(unsigned cpus) {
    Scenario sc;
    sc.name = "usermode.suite_cpus" + std::to_string(cpus);
    sc.description = "the ring-3 suite (roottask.elf) on " + std::to_string(cpus) + " CPU(s) in Unicorn";
    sc.config = boot_config(cpus);
    sc.body = run_suite;
    sc.plan = {{*StrategySpec::parse("random"), 1}};
    sc.seed_only_lines = true;
    return sc;
}

namespace {

Scenario planted_lost_shootdown() {
    Scenario sc;
    sc.name = "usermode.planted_lost_shootdown";
    sc.description = "the suite on 2 CPUs whose shootdowns reach only the asking CPU: a stale access";
    sc.config = boot_config(2);
    sc.body = [](Machine& m) {
        plant_lost_shootdowns(true);
        run_suite(m);
        plant_lost_shootdowns(false);
    };
    sc.plan = {{*StrategySpec::parse("random"), 1}};
    sc.expect = Verdict::stale_translation;
    sc.seed_only_lines = true;
    return sc;
}

bool register_all() {
    for (unsigned cpus = 1; cpus <= max_suite_cpus; ++cpus) register_scenario(suite_scenario(cpus));
    return register_scenario(planted_lost_shootdown());
}

[[maybe_unused]] const bool registered = register_all();

} // namespace

} // namespace hostsim::usermode
