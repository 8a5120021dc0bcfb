// arch/tlb.hpp on x86-64: invlpg for small ranges, a CR3 reload (or a CR4.PGE toggle, which drops global
// entries too) for large ones and for `all`, and IPIs for other CPUs.
#include "arch/tlb.hpp"

#include "arch/atomic.hpp"
#include "arch/x86_64/address_space.hpp"
#include "arch/x86_64/cpu_local.hpp"
#include "arch/x86_64/cpu_ops.hpp"
#include "arch/x86_64/lapic.hpp"
#include "arch/x86_64/tlb_shootdown.hpp"
#include "arch/x86_64/vectors.hpp"
#include "kernel/lib/spinlock.hpp"

namespace arch {

namespace x86 {

namespace {

/// Above this many pages one full flush is cheaper than invlpg page by page.
constexpr std::uint64_t invlpg_limit = 32;
constexpr std::uint64_t page = 4096;
constexpr std::uint64_t cr4_pge = 1u << 7;

/// Every translation, global ones included.
void flush_everything() {
    std::uint64_t cr4 = read_cr4();
    if (cr4 & cr4_pge) {
        write_cr4(cr4 & ~cr4_pge);
        write_cr4(cr4);
    } else {
        write_cr3(read_cr3());
    }
}

struct ShootdownRequest {
    Atomic<std::uint64_t> pending; ///< targets that have not acknowledged yet, one bit per CPU
    AddressSpaceId asid;
    TlbScope scope;
};

kernel::Spinlock shootdown_lock;
ShootdownRequest request;

} // namespace

void tlb_shootdown_acknowledge() {
    (void)request.pending.load(MemoryOrder::acquire); // pairs with the initiator's release: see the request
    tlb_invalidate(request.asid, request.scope);
    request.pending.fetch_and(~(std::uint64_t{1} << cpu_id()), MemoryOrder::release);
}

} // namespace x86

void tlb_invalidate(AddressSpaceId asid, const TlbScope& scope) {
    using x86::this_cpu;
    x86::CpuLocal& cpu = this_cpu();
    // Without PCIDs only the loaded address space and the kernel's global entries can be cached here: the
    // translations of any other tree went with the CR3 switch away from it.
    bool kernel = asid == 0, loaded = asid == cpu.loaded_asid;
    if (scope.kind == TlbScope::Kind::none || (!kernel && !loaded)) return;
    if (scope.kind == TlbScope::Kind::range && (scope.end - scope.start) / x86::page <= x86::invlpg_limit) {
        for (std::uint64_t va = scope.start; va < scope.end; va += x86::page) x86::invlpg(va);
        return;
    }
    if (kernel) {
        x86::flush_everything();
    } else if (scope.kind == TlbScope::Kind::all) {
        // Everything of a user tree goes, maybe the tree itself: stop using it, so that its table pages can
        // be reused without this CPU still walking them.
        x86::load_kernel_address_space(cpu);
    } else {
        x86::write_cr3(x86::read_cr3());
    }
}

void tlb_shootdown(CpuMask cpus, AddressSpaceId asid, const TlbScope& scope) {
    const CpuId self = cpu_id();
    const std::uint64_t self_bit = std::uint64_t{1} << self;
    std::uint64_t others = 0;
    for (CpuId c = 0; c < cpu_count(); ++c)
        if (c != self && cpus.has(c)) others |= std::uint64_t{1} << c;
    if (others) {
        // Another CPU may hold the lock and wait for this one's acknowledgement while this one has interrupts
        // masked: answer its request while waiting, or both would wait for ever. (The IPI for it still arrives
        // later and answers again: invalidating twice is harmless, and the bit is clear already.)
        while (!x86::shootdown_lock.try_lock()) {
            if (x86::request.pending.load(MemoryOrder::acquire) & self_bit) x86::tlb_shootdown_acknowledge();
            cpu_relax();
        }
        x86::request.asid = asid;
        x86::request.scope = scope;
        x86::request.pending.store(others, MemoryOrder::release);
        for (CpuId c = 0; c < cpu_count(); ++c) {
            if (others & (std::uint64_t{1} << c))
                x86::lapic::send(x86::cpu_local(c).apic_id, x86::vector::tlb_shootdown);
        }
        if (cpus.has(self)) tlb_invalidate(asid, scope);
        while (x86::request.pending.load(MemoryOrder::acquire) != 0) cpu_relax();
        x86::shootdown_lock.unlock();
        return;
    }
    if (cpus.has(self)) tlb_invalidate(asid, scope);
}

} // namespace arch
