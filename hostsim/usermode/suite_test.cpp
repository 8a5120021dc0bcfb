// usermode.Suite.*: the ring-3 suite on hostsim, the same roottask.elf the bare-metal build boots, on 1, 2
// and 4 simulated CPUs under several explorer seeds. Every run must pass every test and agree test by test
// with the QEMU run of the same ELF (the usermode.qemu_reference fixture writes its results; ctest gives
// their path in JANUS_USERMODE_REFERENCE). A failure prints the line that replays it (`./janus sim replay`).
//
// usermode.Planted.*: shootdowns that reach only the asking CPU (hostsim/tlb_contract.hpp) must be caught as
// a stale access of the suite's cross-CPU revocation test, with a line that replays the identical failure.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "hostsim/explorer.hpp"
#include "hostsim/usermode/sim_boot.hpp"
#include "hostsim/usermode/suite_scenarios.hpp"

namespace hostsim::usermode {
namespace {

/// One run of `scenario` under the random strategy; a failure is not re-run (a boot takes seconds: the
/// planted case replays its line itself).
ExploreReport run(const std::string& scenario, std::uint64_t seed) {
    const Scenario* s = find_scenario(scenario);
    EXPECT_NE(s, nullptr) << scenario;
    if (!s) return {};
    ExploreOptions o;
    o.strategy = *StrategySpec::parse("random");
    o.runs = 1;
    o.seed = seed;
    o.recheck = false;
    return explore(*s, o);
}

void suite(unsigned cpus, std::uint64_t seed) {
    ExploreReport r = run("usermode.suite_cpus" + std::to_string(cpus), seed);
    EXPECT_FALSE(r.failed()) << r.failure_text();
    const SuiteReport& rep = last_suite_report();
    EXPECT_GE(rep.passed, min_suite_tests);
    EXPECT_EQ(rep.failed, 0u);
}

/// The comparison is only as good as the reference: QEMU ran the suite to the end and every test passed.
TEST(Suite, TheQemuReferenceHasTheWholeSuitePassed) {
    ASSERT_NE(std::getenv("JANUS_USERMODE_REFERENCE"), nullptr) << "ctest sets it (usermode.qemu_reference)";
    std::string problem;
    auto reference = reference_results(problem);
    ASSERT_TRUE(reference.has_value());
    ASSERT_EQ(problem, "");
    EXPECT_GE(reference->size(), min_suite_tests);
    for (const auto& [name, verdict] : *reference) EXPECT_EQ(verdict, "pass") << name;
}

/// The ELF hostsim boots is the one the bare-metal build puts into its ISO and boots with -kernel.
TEST(Suite, TheElfIsTheBareMetalBuildsByteForByte) {
    const auto here = read_file(roottask_path());
    const auto metal = read_file(JANUS_METAL_USER_DIR "/roottask.elf");
    ASSERT_FALSE(here.empty()) << roottask_path();
    ASSERT_FALSE(metal.empty()) << "no " JANUS_METAL_USER_DIR "/roottask.elf: build the x86_64 preset";
    EXPECT_TRUE(here == metal) << "the user programs must build identically in every preset (docs/user.md)";
}

TEST(Suite, OneCpuSeed1) {
    suite(1, 1);
}
TEST(Suite, OneCpuSeed2) {
    suite(1, 2);
}
TEST(Suite, TwoCpusSeed1) {
    suite(2, 1);
}
TEST(Suite, TwoCpusSeed2) {
    suite(2, 2);
}
TEST(Suite, TwoCpusSeed3) {
    suite(2, 3);
}
TEST(Suite, FourCpusSeed1) {
    suite(4, 1);
}
TEST(Suite, FourCpusSeed2) {
    suite(4, 2);
}

/// The system boot (init and its components) on hostsim prints what QEMU's does (user/system/system.expect),
/// the client's lines through the simulated 16550.
TEST(System, OneCpuSeed1) {
    ExploreReport r = run("usermode.system_cpus1", 1);
    EXPECT_FALSE(r.failed()) << r.failure_text();
    EXPECT_EQ(last_system_problem(), "");
}
TEST(System, TwoCpusSeed1) {
    ExploreReport r = run("usermode.system_cpus2", 1);
    EXPECT_FALSE(r.failed()) << r.failure_text();
}
TEST(System, TwoCpusSeed2) {
    ExploreReport r = run("usermode.system_cpus2", 2);
    EXPECT_FALSE(r.failed()) << r.failure_text();
}

/// A client dying in the middle of its console calls: the server serves the others on (faults.expect).
/// init ends this run with a failure status (a component faulted): the kernel's verdict, then the output.
void faults(unsigned cpus, std::uint64_t seed) {
    ExploreReport r = run("usermode.faults_cpus" + std::to_string(cpus), seed);
    ASSERT_TRUE(r.failed()) << "init reported no fault";
    EXPECT_EQ(r.failure.verdict, Verdict::kernel_stopped) << r.failure_text();
    EXPECT_EQ(last_system_problem(), "") << r.failure_text();
}
TEST(System, AClientDyingMidCallOneCpu) {
    faults(1, 1);
}
TEST(System, AClientDyingMidCallTwoCpus) {
    faults(2, 3);
}

/// A configuration with a mistake: init names its line and starts nothing (badconfig.expect).
TEST(System, ABadConfigurationStartsNothing) {
    ExploreReport r = run("usermode.badconfig_cpus1", 1);
    ASSERT_TRUE(r.failed()) << "init accepted the configuration";
    EXPECT_EQ(r.failure.verdict, Verdict::kernel_stopped) << r.failure_text();
    EXPECT_EQ(last_system_problem(), "") << r.failure_text();
}

TEST(Planted, ALostShootdownIsAStaleAccessWithALineThatReplaysIt) {
    const Scenario* s = find_scenario("usermode.planted_lost_shootdown");
    ASSERT_NE(s, nullptr);
    ExploreReport r = run(s->name, 1);
    ASSERT_TRUE(r.failed()) << "the lost shootdown went unnoticed";
    EXPECT_EQ(r.failure.verdict, Verdict::stale_translation) << r.failure_text();
    EXPECT_NE(r.failure.message.find("stale translation"), std::string::npos) << r.failure_text();
    // The printed line alone reproduces it, identically.
    auto line = ReplayLine::parse(r.failure_text());
    ASSERT_TRUE(line.has_value()) << r.failure_text();
    EXPECT_FALSE(line->schedule.has_value()) << "a whole boot's line names its seed, not its schedule";
    EXPECT_EQ(compare_outcomes(r.failure, replay(*s, *line)), "");
}

} // namespace
} // namespace hostsim::usermode
