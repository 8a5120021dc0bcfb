#include "hostsim/scenario.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>

namespace hostsim {

namespace {

std::map<std::string, std::unique_ptr<Scenario>, std::less<>>& registry() {
    static std::map<std::string, std::unique_ptr<Scenario>, std::less<>> r;
    return r;
}

} // namespace

bool register_scenario(Scenario s) {
    auto& r = registry();
    if (r.count(s.name)) {
        std::fprintf(stderr, "hostsim: scenario %s registered twice\n", s.name.c_str());
        std::abort();
    }
    std::string name = s.name;
    r.emplace(std::move(name), std::make_unique<Scenario>(std::move(s)));
    return true;
}

const Scenario* find_scenario(std::string_view name) {
    auto it = registry().find(name);
    return it == registry().end() ? nullptr : it->second.get();
}

std::vector<const Scenario*> all_scenarios() {
    std::vector<const Scenario*> out;
    for (auto& [name, s] : registry()) out.push_back(s.get());
    return out;
}

} // namespace hostsim
