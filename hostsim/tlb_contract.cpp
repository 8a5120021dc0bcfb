// The TLB contract on the host. A single simulated CPU has nothing to shoot down but itself, so both calls
// complete at once; they are logged (and handed to a machine's TLB model if one is installed) so tests can
// check that the kernel asked for exactly the invalidations it needed.
#include "hostsim/tlb_contract.hpp"

#include "arch/cpu.hpp"
#include "hostsim/machine.hpp"

namespace hostsim {
namespace {

struct TlbState {
    std::vector<TlbRequest> log;
    TlbHandler handler;
};

TlbState& state() {
    thread_local TlbState s;
    return s;
}

void record(const TlbRequest& r) {
    state().log.push_back(r);
    if (state().handler) state().handler(r);
}

arch::CpuId executing_cpu() {
    return Machine::current() ? Machine::current()->cpu_id() : 0;
}

} // namespace

std::vector<TlbRequest>& tlb_requests() {
    return state().log;
}
void set_tlb_handler(TlbHandler handler) {
    state().handler = std::move(handler);
}

} // namespace hostsim

namespace arch {

void tlb_invalidate(AddressSpaceId asid, const TlbScope& scope) {
    hostsim::record(
        {hostsim::TlbRequest::Kind::invalidate, CpuMask::only(hostsim::executing_cpu()), asid, scope});
}

void tlb_shootdown(CpuMask cpus, AddressSpaceId asid, const TlbScope& scope) {
    hostsim::record({hostsim::TlbRequest::Kind::shootdown, cpus, asid, scope});
}

} // namespace arch
