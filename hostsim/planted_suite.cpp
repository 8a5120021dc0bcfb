#include "hostsim/planted_suite.hpp"

namespace hostsim {

PlantedResult run_planted_case(const Scenario& bug, const Scenario* fixed) {
    PlantedResult result;
    const Budget& budget = bug.plan.front();
    std::string head =
        bug.name + " (" + budget.strategy.name() + ", " + std::to_string(budget.runs) + " runs): ";
    ExploreOptions o;
    o.strategy = budget.strategy;
    o.runs = budget.runs;
    ExploreReport r = explore(bug, o);
    if (!r.failed()) {
        result.line = "FAIL " + head + "the bug was not found";
        return result;
    }
    if (r.failure.verdict != bug.expect) {
        result.line = "FAIL " + head + "expected " + verdict_name(bug.expect) + ", found " + r.failure_text();
        return result;
    }
    if (!r.nondeterminism.empty()) {
        result.line = "FAIL " + head + r.failure_text();
        return result;
    }
    // Replay from the printed text, as a developer would.
    std::string printed = r.failure_text();
    auto line = ReplayLine::parse(printed);
    std::string diff = line ? compare_outcomes(r.failure, replay(bug, *line)) : "the line does not parse";
    if (!diff.empty()) {
        result.line = "FAIL " + head + "replaying " + printed + " gave " + diff;
        return result;
    }
    char found[160];
    std::snprintf(found, sizeof found, "found in run %llu (%.3f s) and replayed identically",
                  static_cast<unsigned long long>(r.failing_run) + 1, r.seconds);
    std::string tail;
    if (fixed) {
        ExploreReport f = explore(*fixed, o);
        if (f.failed()) {
            result.line = "FAIL " + head + found + ", but the fixed version failed: " + f.failure_text();
            return result;
        }
        tail = "; fixed version survived " + std::to_string(f.runs) + " runs";
    } else {
        tail = "; no fixed version";
    }
    result.passed = fixed != nullptr;
    result.line = std::string(result.passed ? "PASS " : "FAIL ") + head + found + tail + " | " + printed;
    return result;
}

int run_planted_suite(std::FILE* out) {
    int passed = 0, failed = 0;
    for (const Scenario* s : all_scenarios()) {
        // usermode.* boot the whole ring-3 suite: their tests (usermode.*) run them, not this self-test.
        if (s->expect == Verdict::pass || s->plan.empty() || s->name.starts_with("usermode.")) continue;
        PlantedResult r = run_planted_case(*s, find_scenario(s->name + "_fixed"));
        std::fprintf(out, "%s\n", r.line.c_str());
        std::fflush(out);
        (r.passed ? passed : failed)++;
    }
    std::fprintf(out, "%d passed, %d failed\n", passed, failed);
    return failed;
}

} // namespace hostsim
