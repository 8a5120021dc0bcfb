#include "kernel/syscall/testing/scenarios.hpp"

namespace kernel::testing {

namespace {

std::vector<ScenarioList (*)()>& makers() {
    static std::vector<ScenarioList (*)()> m;
    return m;
}

std::vector<Pending>& pending_pairs() {
    static std::vector<Pending> p;
    return p;
}

} // namespace

bool add_scenarios(ScenarioList (*make)()) {
    makers().push_back(make);
    return true;
}

ScenarioList all_scenarios() {
    ScenarioList all;
    for (auto make : makers())
        for (Scenario& s : make()) all.push_back(std::move(s));
    return all;
}

bool add_pending(janus::abi::Syscall syscall, Error error, const char* reason) {
    pending_pairs().push_back(Pending{static_cast<std::uint64_t>(syscall), error, reason});
    return true;
}

const std::vector<Pending>& pending() {
    return pending_pairs();
}

} // namespace kernel::testing
