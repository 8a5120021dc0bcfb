// TLB shootdown between CPUs (arch/tlb.hpp). The initiator publishes one request, interrupts every other
// target with vector::tlb_shootdown and waits until each has invalidated and cleared its bit in `pending`.
// One request at a time (a lock); a waiting initiator keeps interrupts enabled, so two CPUs shooting at each
// other both make progress. With one CPU online only the local part runs.
#pragma once

namespace arch::x86 {

/// Called from dispatch_interrupt() on a target: carry out the published request and acknowledge it.
void tlb_shootdown_acknowledge();

} // namespace arch::x86
