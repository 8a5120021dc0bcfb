// A protection domain's address space: a real x86-64 page table (kernel/mem's PageTable over Kmem pages, see
// user_page_table.hpp) and the index of the domain's mapping-database nodes. The memory side owns everything
// here (docs/objects.md "Memory"); the object layer only allocates the top-level page with the domain (the
// creator pays page_table for it), holds the space in its Pd (a mapdb::Domain) and calls domain.hpp's hooks.
//
// Invariants (kernel/check/check_memory.cpp): every present user page-table entry is backed by a node in
// `index` with the same frame and rights and vice versa; `tables` page-table pages hang below the top level,
// of which `paid_tables` are charged to this domain (the rest were made at boot, unpaid); `paid_nodes` of the
// nodes are charged to it. So the memory part of quota.used is charge().
#pragma once

#include <cstdint>

#include "arch/atomic.hpp"
#include "arch/tlb.hpp"
#include "arch/user.hpp"
#include "kernel/abi/abi.hpp"
#include "kernel/mapdb/va_index.hpp"

namespace kernel {

struct AddressSpace {
    void* top_level = nullptr;  ///< one Kmem page, the top-level table
    std::uint64_t top_phys = 0; ///< its physical address (what CR3 holds)
    arch::AddressSpaceId asid = 0;
    mapdb::VaIndex index; ///< the domain's mapping nodes by address (UTCB pages included)
    std::uint64_t paid_nodes = 0;
    std::uint32_t tables = 0; ///< page-table pages below the top level
    std::uint32_t paid_tables = 0;
    /// CPUs that may hold translations of this space (CpuMask bits): set by address_space_enter() before the
    /// CPU loads the space, never cleared while the domain lives (a superset is always safe).
    arch::Atomic<std::uint64_t> cpus{0};
    arch::TlbScope pending{}; ///< invalidations collected by the current operation, not yet done
    AddressSpace* next_dirty = nullptr;
    bool dirty = false; ///< on the kernel's list of spaces with pending invalidations

    /// What this space costs its domain's quota (mapping nodes and lower page tables).
    std::uint64_t charge() const {
        return paid_nodes * janus::abi::charge::mapping +
               std::uint64_t{paid_tables} * janus::abi::charge::page_table;
    }
};

} // namespace kernel
