// hostsim's side of the interrupt-line contract (arch/irq_lines.hpp): which lines the kernel has unmasked,
// for tests to check, and the legacy periodic timer on line 0.
//
// The mask is kept per host thread (like the TLB request log), so it works outside a Machine too, where
// TestKernel-style tests call the kernel directly. Inside a running Machine, unmasking line 0 starts the
// machine's periodic interrupt (Machine::set_periodic_interrupt: vector 0x20 on CPU 0 every 10 ms of virtual
// time) and masking it stops that. Unmasking outside a machine only records the state: a machine started
// later does not inherit a running timer.
#pragma once

#include <cstdint>

namespace hostsim {

/// Bit L set: the kernel has line L unmasked (arch::irq_line_unmask without a later irq_line_mask).
std::uint32_t irq_lines_unmasked();

/// Every line masked again without telling the kernel (a test's set-up after an abandoned kernel).
void reset_irq_lines();

} // namespace hostsim
