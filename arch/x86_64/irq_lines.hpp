// The x86-64 side of arch/irq_lines.hpp: which controller carries the device lines, chosen once at boot.
#pragma once

#include "kernel/boot/acpi.hpp"

namespace arch::x86::irq_lines {

/// Carry the device lines through the I/O APICs the MADT lists (routes of irq_routing.hpp, every input
/// masked, delivered to the boot CPU) and keep the 8259s masked for good; without a usable I/O APIC they stay
/// on the 8259s (pic.hpp) as at boot. Before any line is unmasked. Prints which.
void init(const kernel::boot::acpi::AcpiInfo& acpi, std::uint32_t boot_apic_id);

/// True once init() chose the I/O APIC: line interrupts are then in service at the local APIC.
bool through_ioapic();

/// interrupt.cpp, before the local APIC's EOI: `line` was delivered. A level-triggered line is masked at the
/// I/O APIC until arch::irq_line_end, so that an asserted level cannot interrupt again at once.
void delivered(unsigned line);

} // namespace arch::x86::irq_lines
