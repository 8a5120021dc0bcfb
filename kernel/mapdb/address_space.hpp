// A protection domain's address space: a real x86-64 page table (kernel/mem's PageTable over Kmem pages, see
// user_page_table.hpp) and the index of the domain's mapping-database nodes. The memory side owns everything
// here (docs/objects.md "Memory"); the object layer only allocates the top-level page with the domain (the
// creator pays page_table for it), holds the space in its Pd and calls the hooks below.
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

class Kernel;
class Pd;
class Thread;

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

/// Called by make_pd with the freshly allocated top-level page: clears it, gives it the kernel half
/// (arch::prepare_user_top_table) and an address-space tag.
void address_space_init(Kernel& kernel, Pd& pd, void* top_level);

/// Called while `pd` dies, after its capabilities are gone and before its memory is freed: removes every
/// mapping in its address space and everything derived from it in any domain (refunding the holders), shoots
/// down the TLBs that may hold them, and frees the lower page tables. The top-level page stays for
/// free_object().
void address_space_teardown(Pd& pd);

/// Called while thread `t` dies (its domain lives on): unmaps its UTCB page, with the shootdown, before the
/// page is freed.
void address_space_thread_dying(Thread& t);

/// The run loop, before it runs a thread of `pd` on the executing CPU `cpu`: marks the CPU as one that may
/// cache the space (so unmaps shoot it down) and returns what to load.
arch::AddressSpaceRoot address_space_enter(Pd& pd, arch::CpuId cpu);

} // namespace kernel
