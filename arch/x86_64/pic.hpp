// The legacy 8259 interrupt controllers (a master and a slave cascaded on the master's input 2), which carry
// the device lines of arch/irq_lines.hpp: line L < 8 is master input L, 8..15 slave input L - 8. Firmware
// leaves them delivering on vectors 8-15, which collide with CPU exceptions (the timer would look like a
// double fault); they are moved to 0x20-0x2f (arch::irq_line_vector_base + line) with every line masked.
//
// They reach the CPU through the boot CPU's local APIC LINT0 in ExtINT mode ("virtual wire"): the vector then
// comes from the 8259, and the interrupt is in service in the 8259 (its ISR), not in the local APIC, so it is
// acknowledged here (EOI to the 8259) instead of with the local APIC's EOI. Register use from the 8259A data
// sheet: ICW1-4 initialise, OCW1 is the mask register (IMR), OCW2 0x20 a non-specific EOI, OCW3 0x0b selects
// the ISR for reading the command port.
#pragma once

#include <cstdint>

namespace arch::x86::pic {

inline constexpr unsigned lines = 16;
inline constexpr unsigned cascade_line = 2; ///< the master's input from the slave: no device line

/// Remap both controllers to vectors 0x20-0x2f, edge-triggered, and mask every line.
void init();

/// Mask or unmask `line` (0..15 except the cascade, which follows the slave's lines: unmasked while any of
/// them is). Returns whether any line is unmasked afterwards.
bool set_masked(unsigned line, bool masked);

/// True if the 8259 has `line` in service, i.e. it delivered the interrupt being handled. A spurious
/// interrupt (the 8259 signals its lowest-priority input 7 when the request vanished before the CPU
/// acknowledged it) is not in service.
bool in_service(unsigned line);

/// End of interrupt for `line`, which is in service: a slave line needs an EOI at both controllers.
void eoi(unsigned line);

/// A spurious interrupt on the slave's input 7 still had the cascade in service at the master: end that.
void eoi_master_cascade();

} // namespace arch::x86::pic
