// hostsim's side of the TLB contract (arch/tlb.hpp): what the kernel asked to invalidate, for tests to check,
// and a hook through which a simulated machine's TLB model (hostsim/tlb.hpp) receives the same requests.
#pragma once

#include <functional>
#include <vector>

#include "arch/tlb.hpp"

namespace hostsim {

struct TlbRequest {
    enum class Kind : std::uint8_t { invalidate, shootdown };

    Kind kind;
    arch::CpuMask cpus; ///< shootdown: the targets; invalidate: the executing CPU
    arch::AddressSpaceId asid;
    arch::TlbScope scope;
};

/// Every request the kernel made from this host thread, oldest first. Tests read and clear it.
std::vector<TlbRequest>& tlb_requests();

/// Also pass each request to `handler` (empty: log only). Per host thread, like the log.
using TlbHandler = std::function<void(const TlbRequest&)>;
void set_tlb_handler(TlbHandler handler);

/// A planted bug for self-tests of the machine's TLB checks: while on, a shootdown reaches only the CPU that
/// asks for it, as if the kernel had forgotten the other CPUs. Per host thread, like the log.
void plant_lost_shootdowns(bool on);

} // namespace hostsim
