// The TLB contract on the host. Every request is logged (tests check that the kernel asked for exactly the
// invalidations it needed) and handed to an installed handler. Inside a running Machine the request also
// reaches its TLB model (hostsim/tlb.hpp): a local invalidation drops the executing CPU's entries; a
// shootdown follows the IPI protocol (Machine::shootdown): each target drops its entries when it takes the
// request, which it can only with interrupts enabled, and the initiator returns once all acknowledged. So a
// missing or too narrow shootdown shows as a stale translation, and an initiator waiting for a CPU that spins
// with interrupts masked as a deadlock. Outside a machine there is one CPU and nothing else to do.
//
// Model limits: ranges above `page_limit` pages and `all` drop every non-global entry (the Machine has no
// call that also drops global ones), so a changed global translation is only dropped page by page.
#include "hostsim/tlb_contract.hpp"

#include "arch/cpu.hpp"
#include "hostsim/machine.hpp"
#include "hostsim/sanitizers.hpp"

namespace hostsim {
namespace {

constexpr std::uint64_t page = 4096;
constexpr std::uint64_t page_limit = 512;

struct TlbState {
    std::vector<TlbRequest> log;
    TlbHandler handler;
    bool lose_shootdowns = false;
};

TlbState& state() {
    thread_local TlbState s;
    return s;
}

void record(const TlbRequest& r) {
    {
        san::Bookkeeping bookkeeping; // the log is hostsim's (kept across CPUs): invisible to TSan
        state().log.push_back(r);
    }
    if (state().handler) state().handler(r);
}

arch::CpuId executing_cpu() {
    return Machine::current() ? Machine::current()->cpu_id() : 0;
}

/// Pages of a range scope, or 0 for "everything" (`all`, or more than page_limit pages).
std::uint64_t page_count(const arch::TlbScope& s) {
    if (s.kind != arch::TlbScope::Kind::range || s.end <= s.start) return 0;
    std::uint64_t n = (s.end - s.start + page - 1) / page;
    return n > page_limit ? 0 : n;
}

void drop_on(Machine& m, arch::CpuId cpu, const arch::TlbScope& s) {
    if (std::uint64_t n = page_count(s)) {
        for (std::uint64_t i = 0; i < n; ++i) m.invalidate_on(cpu, s.start + i * page);
    } else {
        m.invalidate_on(cpu, std::nullopt);
    }
}

} // namespace

std::vector<TlbRequest>& tlb_requests() {
    return state().log;
}
void set_tlb_handler(TlbHandler handler) {
    state().handler = std::move(handler);
}
void plant_lost_shootdowns(bool on) {
    state().lose_shootdowns = on;
}

} // namespace hostsim

namespace arch {

void tlb_invalidate(AddressSpaceId asid, const TlbScope& scope) {
    hostsim::record(
        {hostsim::TlbRequest::Kind::invalidate, CpuMask::only(hostsim::executing_cpu()), asid, scope});
    hostsim::Machine* m = hostsim::Machine::current();
    if (m && scope.kind != TlbScope::Kind::none) hostsim::drop_on(*m, m->cpu_id(), scope);
}

void tlb_shootdown(CpuMask cpus, AddressSpaceId asid, const TlbScope& scope) {
    hostsim::record({hostsim::TlbRequest::Kind::shootdown, cpus, asid, scope});
    hostsim::Machine* m = hostsim::Machine::current();
    if (!m || scope.kind == TlbScope::Kind::none) return;
    if (hostsim::state().lose_shootdowns) cpus.bits &= CpuMask::only(m->cpu_id()).bits;
    // The IPI round: requests to the targets, the executing CPU's own invalidation, the wait for every
    // acknowledgement (Machine::shootdown).
    const std::uint64_t n = hostsim::page_count(scope);
    m->shootdown(cpus.bits, n ? std::optional<std::uint64_t>(scope.start) : std::nullopt, n ? n : 1);
}

} // namespace arch
