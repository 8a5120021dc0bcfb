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

/// A choice as a bit position in a 64-bit set: run(c) is bit c, drain(c) bit 32 + c.
constexpr unsigned entity(Choice c) {
    return c.cpu + (c.kind == Choice::Kind::drain ? 32u : 0u);
}

/// What one step does to memory that other CPUs share, as the partial-order reduction sees it
/// (hostsim/strategy_trace.hpp). A CPU's step is the operation it parked at (the scheduling point's atomic)
/// followed by its own code up to its next scheduling point; code between points touches only memory that
/// the atomics order (data-race free, which the TSan build checks), so the atomic is the step's only access.
struct Access {
    enum class Kind : std::uint8_t {
        none,   ///< nothing another CPU can see: a fence or a preemption point under sequential consistency
        read,   ///< loads the 8-byte granule
        write,  ///< stores to the granule, or reads and writes it (exchange, compare-exchange, fetch-op)
        global, ///< anything else: spins, waits, IPIs, TLB accesses, taking an interrupt, store-buffer
                ///< drains, and every step while the machine is outside what the reduction models (x86-TSO,
                ///< timers, devices, user mode)
    };
    Kind kind = Kind::global;
    std::uintptr_t granule = 0; ///< address / 8 for read and write (contract atomics are naturally aligned)

    static Access at(Kind kind, const volatile void* address) {
        return {kind, reinterpret_cast<std::uintptr_t>(address) >> 3};
    }
    bool operator==(const Access&) const = default;
};

/// Two steps of different CPUs are independent (either order gives the same state, and neither enables or
/// disables the other) when they touch different granules, or both only read; `none` is independent of
/// everything, `global` dependent on everything else.
constexpr bool independent(Access a, Access b) {
    if (a.kind == Access::Kind::none || b.kind == Access::Kind::none) return true;
    if (a.kind == Access::Kind::global || b.kind == Access::Kind::global) return false;
    return a.granule != b.granule || (a.kind == Access::Kind::read && b.kind == Access::Kind::read);
}

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
    /// Set only for strategies that observe steps (Strategy::observes_steps): the options (as entity() bits)
    /// whose step begins with taking a pending interrupt, which makes that step global.
    std::uint64_t interrupting = 0;
};

} // namespace hostsim
