// The replay line: everything needed to run one execution again, as a single shell word.
//
//   planted.dekker,pct3-k12,seed=77521,tso,budget=100000,sched=a2bA2ab
//
// scenario name, strategy (hostsim/strategy.hpp), the run's seed, memory model (sc|tso), step budget and the
// schedule string (hostsim/schedule.hpp). A failure prints
//
//   FAIL <line> -- <verdict>: <message>
//
// and `./janus sim replay` accepts either the whole failure line or just its second word.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hostsim/choice.hpp"
#include "hostsim/strategy.hpp"

namespace hostsim {

struct ReplayLine {
    std::string scenario;
    StrategySpec strategy;
    std::uint64_t seed = 0;
    bool tso = false;
    std::uint64_t step_budget = 0;
    std::optional<std::vector<Choice>> schedule; ///< without it, strategy and seed regenerate the run

    std::string format() const;
    /// Finds and parses the replay word in `text` (a whole failure line works); nullopt if there is none.
    static std::optional<ReplayLine> parse(std::string_view text);
};

} // namespace hostsim
