// What the schedule explorer decides: at each scheduling point with more than one possibility, which
// simulated CPU performs its next step, or which CPU's store buffer writes its oldest store to memory
// (x86-TSO mode).
#pragma once

#include <cstdint>
#include <span>

namespace hostsim {

/// Schedule strings name CPUs by letters (run: a..z, drain: A..Z), so a machine has at most 26 CPUs.
inline constexpr unsigned max_sim_cpus = 26;

struct Choice {
    enum class Kind : std::uint8_t { run, drain };
    Kind kind = Kind::run;
    std::uint8_t cpu = 0;

    static constexpr Choice run_cpu(unsigned cpu) { return {Kind::run, static_cast<std::uint8_t>(cpu)}; }
    static constexpr Choice drain_cpu(unsigned cpu) { return {Kind::drain, static_cast<std::uint8_t>(cpu)}; }
    bool operator==(const Choice&) const = default;
};

/// One decision point as a strategy sees it.
struct Decision {
    /// At least two options, in canonical order: run choices by ascending CPU, then drain choices by CPU.
    std::span<const Choice> options;
    /// The CPU that made the previous step (-1 before the first one).
    int current = -1;
    /// The options contain run(current): choosing anything else preempts a CPU that could go on.
    bool current_enabled = false;
    /// `current` has just spun (cpu_relax) and steps aside, as a fair scheduler would let others run.
    bool current_yielded = false;
    /// Decision points before this one in the same scenario execution, counting those with a single option
    /// (where nobody is asked): the step count of PCT.
    std::uint64_t index = 0;
};

} // namespace hostsim
