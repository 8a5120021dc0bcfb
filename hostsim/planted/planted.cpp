#include "hostsim/planted/planted.hpp"

namespace hostsim::planted {

bool plant(const char* name, const char* description, Config config, Budget budget, Verdict verdict,
           void (*body)(Machine& m, bool fixed)) {
    Scenario bug;
    bug.name = std::string("planted.") + name;
    bug.description = std::string("planted bug: ") + description;
    bug.config = config;
    bug.body = [body](Machine& m) { body(m, false); };
    bug.plan = {budget};
    bug.expect = verdict;
    Scenario fixed = bug;
    fixed.name += "_fixed";
    fixed.description = std::string("fixed: ") + description;
    fixed.body = [body](Machine& m) { body(m, true); };
    fixed.expect = Verdict::pass;
    register_scenario(std::move(bug));
    return register_scenario(std::move(fixed));
}

} // namespace hostsim::planted
