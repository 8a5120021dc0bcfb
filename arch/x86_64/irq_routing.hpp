// Where each device line of arch/irq_lines.hpp comes from when the I/O APIC carries them: a pure rule over
// the MADT (kernel/boot/acpi.hpp), unit-tested on the host (tests/irq_routing_test.cpp).
//
//   lines 0..15   the ISA IRQ of the same number: the GSI an interrupt source override names, with its
//                 polarity and trigger (where it says "bus default": ISA's, edge and active high); without an
//                 override GSI = IRQ, edge, active high. Line 2, the 8259 cascade, never has a source.
//   lines 16..23  GSI = line, level-triggered and active low (PCI INTx, how firmware wires them)
//
// A line has no source when its GSI is claimed by an override of another ISA IRQ (QEMU and most PCs wire IRQ
// 0, the PIT, to GSI 2) or no I/O APIC serves that GSI. `inputs[i]` is I/O APIC i's number of redirection
// entries (its version register says; the MADT does not).
#pragma once

#include <cstddef>
#include <cstdint>

#include "arch/irq_lines.hpp"
#include "kernel/boot/acpi.hpp"

namespace arch::x86 {

struct LineRoute {
    bool present = false;    ///< some I/O APIC input carries this line
    std::uint8_t ioapic = 0; ///< index into AcpiInfo::ioapics
    std::uint8_t pin = 0;    ///< redirection entry of that I/O APIC
    std::uint32_t gsi = 0;
    bool level = false; ///< level-triggered (else edge)
    bool active_low = false;
};

struct LineRoutes {
    LineRoute line[irq_line_count];
};

inline LineRoutes route_lines(const kernel::boot::acpi::AcpiInfo& acpi, const unsigned* inputs) {
    using kernel::boot::acpi::Polarity;
    using kernel::boot::acpi::Trigger;
    constexpr unsigned isa_lines = 16, cascade = 2;
    LineRoutes routes{};
    for (unsigned line = 0; line < irq_line_count; ++line) {
        if (line == cascade) continue;
        LineRoute r{};
        r.gsi = line;
        r.level = line >= isa_lines;
        r.active_low = line >= isa_lines;
        if (line < isa_lines) {
            if (const auto* o = acpi.override_for(static_cast<std::uint8_t>(line))) {
                r.gsi = o->gsi;
                if (o->trigger != Trigger::bus_default) r.level = o->trigger == Trigger::level;
                if (o->polarity != Polarity::bus_default) r.active_low = o->polarity == Polarity::active_low;
            }
        }
        bool claimed = false; // by another ISA IRQ's override
        for (std::size_t i = 0; i < acpi.override_count; ++i)
            claimed = claimed || (acpi.overrides[i].gsi == r.gsi && acpi.overrides[i].source != line);
        if (claimed) continue;
        for (std::size_t i = 0; i < acpi.ioapic_count; ++i) {
            const auto& io = acpi.ioapics[i];
            if (r.gsi >= io.gsi_base && r.gsi - io.gsi_base < inputs[i]) {
                r.present = true;
                r.ioapic = static_cast<std::uint8_t>(i);
                r.pin = static_cast<std::uint8_t>(r.gsi - io.gsi_base);
                break;
            }
        }
        if (r.present) routes.line[line] = r;
    }
    return routes;
}

} // namespace arch::x86
