// Arch contract: dropping stale translations from TLBs (and paging-structure caches).
//
// The page-table code reports, for every update, which translations may now be stale (a TlbScope). The kernel
// invalidates them on the executing CPU with tlb_invalidate(), or on a set of CPUs with tlb_shootdown().
// A shootdown returns only when every target CPU has invalidated and acknowledged. Page-table operations run
// with interrupts masked, and a target acknowledges from its interrupt handler, so a completed shootdown also
// proves that no target is still inside a page-table walk it began earlier: memory retired before the
// shootdown (page-table pages, unmapped frames) may be reused after it.
#pragma once

#include <cstdint>

#include "arch/cpu.hpp"

namespace arch {

/// Which translations to drop. `range` covers the page-aligned virtual addresses [start, end); `all` drops
/// every translation of the address space, global (kernel) ones included.
struct TlbScope {
    enum class Kind : std::uint8_t { none, range, all };

    Kind kind = Kind::none;
    std::uint64_t start = 0;
    std::uint64_t end = 0;

    friend bool operator==(const TlbScope&, const TlbScope&) = default;
};

/// An address-space tag (a PCID on x86-64). 0 is the kernel's own address space.
using AddressSpaceId = std::uint16_t;

/// A set of CPUs (max_cpus is 64: one bit each).
struct CpuMask {
    std::uint64_t bits = 0;

    static constexpr CpuMask all() { return {~std::uint64_t{0}}; }
    static constexpr CpuMask only(CpuId cpu) { return {std::uint64_t{1} << cpu}; }
    constexpr bool has(CpuId cpu) const { return (bits >> cpu) & 1; }
};
static_assert(max_cpus <= 64, "CpuMask holds one bit per CPU");

/// Drop `scope`'s translations of address space `asid` on the executing CPU.
void tlb_invalidate(AddressSpaceId asid, const TlbScope& scope);

/// Drop `scope`'s translations on every online CPU in `cpus` (the executing one included if it is in the set)
/// and wait until all of them have done so. Outside page-table walks. The caller may have interrupts masked
/// (the kernel calls it under its big lock), so every CPU must be able to acknowledge meanwhile: a CPU never
/// waits with interrupts masked for something the initiator holds. The kernel keeps that rule by opening
/// interrupts while it waits for its lock (kernel/sched/cpu_loop.hpp lock_kernel); concurrent initiators
/// answer each other's requests while they wait to initiate. hostsim reports a breach as a deadlock.
void tlb_shootdown(CpuMask cpus, AddressSpaceId asid, const TlbScope& scope);

} // namespace arch
