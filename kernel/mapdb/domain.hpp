// What the memory side knows of a protection domain: its address space and the quota that pays for its
// mapping nodes and page tables. A Pd (kernel/obj/pd.hpp) is a Domain; kernel/mapdb sees no more of it, which
// keeps the memory side below the object types that hold it.
#pragma once

#include "arch/user.hpp"
#include "kernel/kmem/quota.hpp"
#include "kernel/mapdb/address_space.hpp"
#include "kernel/mapdb/state.hpp"

namespace kernel::mapdb {

struct Domain {
    Quota quota;
    AddressSpace memory;
};

// The object layer's hooks into the memory side (address_space.cpp).

/// Called by make_pd with the freshly allocated top-level page: clears it, gives it the kernel half
/// (arch::prepare_user_top_table) and an address-space tag.
void address_space_init(State& db, AddressSpace& s, void* top_level);

/// Called while `pd` dies, after its capabilities are gone and before its memory is freed: removes every
/// mapping in its address space and everything derived from it in any domain (refunding the holders), shoots
/// down the TLBs that may hold them, and frees the lower page tables. The top-level page stays for
/// free_object().
void address_space_teardown(State& db, Domain& pd);

/// Called while a thread of `pd` whose UTCB page is at `utcb` dies and `pd` lives on: unmaps that page, with
/// the shootdown, before the page is freed.
void address_space_utcb_dying(State& db, Domain& pd, std::uint64_t utcb);

/// The run loop, before it runs a thread in space `s` on the executing CPU `cpu`: marks the CPU as one that
/// may cache the space (so unmaps shoot it down) and returns what to load.
arch::AddressSpaceRoot address_space_enter(AddressSpace& s, arch::CpuId cpu);

} // namespace kernel::mapdb
