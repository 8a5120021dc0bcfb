// arch/tlb.hpp on x86-64: invlpg for small ranges, a CR3 reload (or a CR4.PGE toggle, which drops global
// entries too) for large ones and for `all`, and IPIs for other CPUs. The same request and IPI carry the
// I/O-permission shootdown of arch/io_ports.hpp (io_ports.cpp) and arch::leave_user (arch/user.hpp).
#include "arch/tlb.hpp"

#include "arch/io_ports.hpp"

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
    ShootdownKind kind;
    AddressSpaceId asid; ///< tlb
    TlbScope scope;      ///< tlb
    Vector reenter;      ///< io
};

kernel::Spinlock shootdown_lock;
ShootdownRequest request;

/// What a target does for `r` on its own CPU.
void carry_out(const ShootdownRequest& r) {
    switch (r.kind) {
    case ShootdownKind::io:
        io_drop_local();
        break;
    case ShootdownKind::tlb:
        tlb_invalidate(r.asid, r.scope);
        break;
    case ShootdownKind::leave:
        break; // taking the IPI was the point: the entry path saved the frame before this handler runs
    }
}

} // namespace

ShootdownDone tlb_shootdown_acknowledge() {
    (void)request.pending.load(MemoryOrder::acquire); // pairs with the initiator's release: see the request
    carry_out(request);
    // Read before the bit is cleared: the initiator may publish the next request right after.
    const ShootdownDone done{request.kind, request.reenter};
    request.pending.fetch_and(~(std::uint64_t{1} << cpu_id()), MemoryOrder::release);
    return done;
}

/// Publishes `r` to every CPU in `cpus` but the executing one, carries it out here if the executing CPU is in
/// `cpus`, and waits for every acknowledgement.
void shoot(CpuMask cpus, const ShootdownRequest& r) {
    const CpuId self = cpu_id();
    const std::uint64_t self_bit = std::uint64_t{1} << self;
    std::uint64_t others = 0;
    for (CpuId c = 0; c < cpu_count(); ++c)
        if (c != self && cpus.has(c)) others |= std::uint64_t{1} << c;
    if (others) {
        // Another CPU may hold the lock and wait for this one's acknowledgement while this one has interrupts
        // masked: answer its request while waiting, or both would wait for ever. (The IPI for it still
        // arrives later and answers again: invalidating or dropping twice is harmless, and the bit is clear
        // already.)
        while (!shootdown_lock.try_lock()) {
            if (request.pending.load(MemoryOrder::acquire) & self_bit) (void)tlb_shootdown_acknowledge();
            cpu_relax();
        }
        request.kind = r.kind;
        request.asid = r.asid;
        request.scope = r.scope;
        request.reenter = r.reenter;
        request.pending.store(others, MemoryOrder::release);
        for (CpuId c = 0; c < cpu_count(); ++c) {
            if (others & (std::uint64_t{1} << c)) lapic::send(cpu_local(c).apic_id, vector::tlb_shootdown);
        }
        if (cpus.has(self)) carry_out(r);
        while (request.pending.load(MemoryOrder::acquire) != 0) cpu_relax();
        shootdown_lock.unlock();
        return;
    }
    if (cpus.has(self)) carry_out(r);
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
    x86::ShootdownRequest r{};
    r.kind = x86::ShootdownKind::tlb;
    r.asid = asid;
    r.scope = scope;
    x86::shoot(cpus, r);
}

void io_shootdown(CpuMask cpus, Vector reenter) {
    x86::ShootdownRequest r{};
    r.kind = x86::ShootdownKind::io;
    r.reenter = reenter;
    x86::shoot(cpus, r);
}

void leave_user(CpuMask cpus, Vector reenter) {
    x86::ShootdownRequest r{};
    r.kind = x86::ShootdownKind::leave;
    r.reenter = reenter;
    cpus.bits &= ~CpuMask::only(cpu_id()).bits; // the executing CPU is in the kernel: its frame is written
    if (cpus.bits) x86::shoot(cpus, r);
}

} // namespace arch
