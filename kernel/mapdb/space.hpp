// One domain's page table as the mapping database drives it: 4 KiB user pages whose entries follow the
// nodes (present exactly when the node has an access right), invalidations collected per space and done
// together at the end of an operation (finish()), and the count of page-table pages an update will add, so
// that they can be charged before anything changes.
#pragma once

#include <cstdint>

#include "kernel/abi/abi.hpp"
#include "kernel/mapdb/node.hpp"
#include "kernel/mapdb/state.hpp"
#include "kernel/mapdb/user_page_table.hpp"

namespace kernel::mapdb {

struct Domain;

inline constexpr std::uint64_t page_bytes = janus::abi::page_bytes;

/// The memory type node flags name (flag::memory_type).
inline mem::Cache cache_of(std::uint8_t flags) {
    if (flags & flag::uncached) return mem::Cache::uncached;
    if (flags & flag::write_combining) return mem::Cache::write_combining;
    return mem::Cache::write_back;
}

/// Page-table pages below the top level that mapping [va, va + bytes) in `pd` would add (a non-empty, page
/// aligned user range).
unsigned tables_needed(const State& db, const Domain& pd, std::uint64_t va, std::uint64_t bytes);

/// Writes the entry for `n` in its domain's table: its frame with its rights, or none without an access
/// right (the tables above it are made either way). Tables come from `tables` and are charged to the domain
/// (quota and AddressSpace::paid_tables) when `paid`, else they are boot tables.
void install(State& db, const Node& n, TableReserve& tables, bool paid);
/// Removes the entry at `va` of `pd` (if any) and notes the invalidation it needs.
void uninstall(State& db, Domain& pd, std::uint64_t va);
/// `n`'s rights changed from `before`: rewrites its entry (or makes or removes it), noting an invalidation
/// only if access went down (issue 3's rule; the ABI itself only ever lowers rights).
void reprotect(State& db, const Node& n, std::uint8_t before);

/// Takes `n`, whose descendants are gone, out of everything: its page-table entry, its domain's index and
/// charge (refunded), its tree; its memory goes back to the pool.
void remove_node(State& db, Node& n);
/// Removes every node derived from `n`, in any domain.
void remove_descendants(State& db, Node& n);

/// Does the invalidations the operation noted: each space's scope on the CPUs that may cache it.
void finish(State& db);

} // namespace kernel::mapdb
