// The programs the page-table linearizability scenarios run (host only): what the table holds before the
// CPUs start, and each CPU's calls. Random mixes come from a fixed seed, so a scenario is one program
// explored under many schedules and a replay line needs no more than the scenario's name.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernel/mem/testing/page_table_history.hpp"

namespace kernel::mem::testing::lin {

struct Program {
    std::vector<Call> setup;             ///< on CPU 0 before the others start
    std::vector<std::vector<Call>> cpus; ///< each CPU's calls, in order
};

/// `cpus` CPUs with `ops` calls each: maps (4 KiB, 2 MiB and 1 GiB pages), unmaps, protects, kernel lookups
/// and accesses through the TLB, on a few hot addresses around the first two 2 MiB regions of the window so
/// that they overlap, merge and split (and sometimes on disjoint ones). Deterministic for a seed.
Program random_program(std::uint64_t seed, unsigned cpus, unsigned ops);

/// The pair issue 16 names: protect of one 4 KiB page of a superpage (phase 1 splits it) against a map of a
/// 2 MiB page over the same region (which merges the split table back), with a reader.
Program protect_against_merge();

/// Unmap of a 4 KiB page inside a superpage (which removes it whole) against protect and map splitting it.
Program unmap_against_split();

Call map_call(VirtAddr va, std::uint64_t bytes, PageSize size, Rights r, Cache c = Cache::write_back);
Call unmap_call(VirtAddr va, std::uint64_t bytes, PageSize unit);
Call protect_call(VirtAddr va, std::uint64_t bytes, Rights r);
Call lookup_call(VirtAddr va);
Call translate_call(VirtAddr va);

} // namespace kernel::mem::testing::lin
