// The happens-before relation of one execution, over its steps (events) and what they access (Access,
// hostsim/choice.hpp): the partial order that the dpor strategy reduces by, and the fingerprint by which two
// executions are told to be the same Mazurkiewicz trace or not.
//
// Events are numbered in execution order; each belongs to a process (a CPU). Event a happens before event b
// (a -> b) when a comes first and they are ordered by a chain of dependent pairs: steps of the same process,
// or steps of different processes that are not independent() (same granule and a write, or a global step).
// Each event carries a vector clock: entry q counts the events of process q that happen before it or are it.
// Two executions of a deterministic program are the same trace exactly when every event (process, its
// position in its process) has the same vector clock in both; fingerprint() hashes that set, independently of
// the order in which the events were executed, and not the addresses (a scenario's host objects move from
// run to run).
//
// Races: when an event is added, the earlier events of other processes that are dependent with it but do not
// happen before the process's previous event race with it: reordering the two is another trace. Only
// immediate races are reported (no other reported candidate lies between them in happens-before), as
// source-DPOR needs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "hostsim/choice.hpp"

namespace hostsim {

class HappensBefore {
public:
    static constexpr std::uint32_t none = ~0u;

    /// For `processes` processes (CPUs), 1 .. max_sim_cpus.
    explicit HappensBefore(unsigned processes);

    /// Forgets every event: a new execution.
    void reset();
    /// The host ran between two Machine::run calls: every event so far happens before every later one.
    void barrier();
    /// Appends the next event of `process`, doing `access`; `tag` tells events apart that the access alone
    /// does not (a store buffer's drain from its CPU's step). Appends to `races` the earlier events it races
    /// with. Returns its index.
    std::uint32_t add(unsigned process, Access access, std::uint8_t tag, std::vector<std::uint32_t>* races);
    /// The latest event turns out to be global (the machine left what the reduction models during it):
    /// treats it as if it had been added as global, appending the races that adds.
    void make_global(std::uint32_t event, std::vector<std::uint32_t>* races);

    std::size_t size() const { return process_.size(); }
    unsigned process(std::uint32_t e) const { return process_[e]; }
    /// The event's position among its process's events (0 for its first).
    std::uint32_t local(std::uint32_t e) const { return clock(e)[process_[e]] - 1; }
    /// a happens before b (a comes first and is ordered before b); false for a == b.
    bool before(std::uint32_t a, std::uint32_t b) const { return a != b && clock(b)[process_[a]] > local(a); }
    /// The first event of `process` after event `e`, or none.
    std::uint32_t first_after(unsigned process, std::uint32_t e) const;
    /// Identical for two executions exactly when they are the same trace (up to hash collisions, 2^-64).
    std::uint64_t fingerprint() const { return fingerprint_; }

private:
    const std::uint32_t* clock(std::uint32_t e) const { return &clocks_[std::size_t{e} * n_]; }
    std::uint32_t* clock(std::uint32_t e) { return &clocks_[std::size_t{e} * n_]; }
    void join(std::uint32_t* into, const std::uint32_t* from) const;
    void copy(std::uint32_t* into, const std::uint32_t* from) const;
    std::uint64_t hash(std::uint32_t e) const;
    void candidate(std::uint32_t c, unsigned process, std::uint32_t* found, unsigned* count) const;
    void report(const std::uint32_t* found, unsigned count, std::vector<std::uint32_t>* races) const;
    std::size_t slot(std::uintptr_t granule); // the location table's slot for `granule`, made if new
    void grow();

    unsigned n_;
    std::vector<std::uint8_t> process_;          // per event
    std::vector<std::uint8_t> kind_;             // per event: access kind, tag in the high bits
    std::vector<std::uint32_t> clocks_;          // per event, n_ entries each (grown, never shrunk)
    std::vector<std::vector<std::uint32_t>> of_; // per process: its events in order
    std::vector<std::uint32_t> now_;             // per process: its clock after its latest event (n_ each)
    std::vector<std::uint32_t> last_;            // per process: its latest event, or none
    std::uint32_t last_global_ = none;           // the latest global event (globals are totally ordered)
    std::uint64_t fingerprint_ = 0;

    // The location table: per granule, the latest write and, per process, its latest read since that write.
    // Open addressing; a slot belongs to the current execution when its generation is generation_.
    struct Slot {
        std::uintptr_t granule = 0;
        std::uint32_t generation = 0;
        std::uint32_t write = none;
    };
    std::vector<Slot> slots_;
    std::vector<std::uint32_t> reads_; // n_ per slot
    std::uint32_t generation_ = 1;
    std::size_t used_ = 0;
};

} // namespace hostsim
