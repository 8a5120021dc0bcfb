// hostsim's side of the interrupt-line contract (arch/irq_lines.hpp): which lines the kernel has unmasked,
// for tests to check, and the legacy periodic timer on line 0.
//
// The mask is kept per host thread (like the TLB request log), so it works outside a Machine too, where
// TestKernel-style tests call the kernel directly. Inside a running Machine, unmasking line 0 starts the
// machine's periodic interrupt (Machine::set_periodic_interrupt: vector 0x20 on CPU 0 every 10 ms of virtual
// time) and masking it stops that. Unmasking outside a machine only records the state: a machine started
// later does not inherit a running timer.
//
// Lines 1 .. irq_line_count - 1 have devices (set_irq_line_level): a device drives its line as a level, and
// the controller turns levels into interrupts the way the bare-metal kernel programs the PC's I/O APIC
// (arch/x86_64/irq_lines.cpp): ISA lines 1..15 edge-triggered, lines 16..23 level-triggered and held back
// from the moment they interrupt until arch::irq_line_end.
#pragma once

#include <cstdint>

namespace hostsim {

class Machine;

/// Bit L set: the kernel has line L unmasked (arch::irq_line_unmask without a later irq_line_mask).
std::uint32_t irq_lines_unmasked();

/// Every line masked again without telling the kernel, every device level low and nothing latched or held (a
/// test's set-up after an abandoned kernel).
void reset_irq_lines();

/// A device's interrupt output on `line` (1 .. arch::irq_line_count - 1) of machine `m`, asserted or not. An
/// interrupt is vector irq_line_vector_base + line made pending on CPU 0 (Machine::raise_interrupt, not a
/// scheduling point). Lines 1..15 (ISA, edge): a rising level interrupts once while the line is unmasked; one
/// that rises while it is masked is latched and interrupts when it is unmasked (QEMU's I/O APIC keeps it in
/// its IRR). Lines 16..23 (level): an asserted level interrupts while the line is unmasked and not held; the
/// line is held from then on until arch::irq_line_end, after which a level still asserted interrupts again.
/// State is per host thread, like the mask; deliveries on unmask and irq_line_end reach the running machine.
void set_irq_line_level(Machine& m, unsigned line, bool asserted);

/// The level a device last drove on `line`.
bool irq_line_level(unsigned line);

} // namespace hostsim
