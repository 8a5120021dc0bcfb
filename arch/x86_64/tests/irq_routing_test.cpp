// route_lines (arch/x86_64/irq_routing.hpp): which I/O APIC input carries each device line.
#include "arch/x86_64/irq_routing.hpp"

#include <gtest/gtest.h>

namespace {

using kernel::boot::acpi::AcpiInfo;
using kernel::boot::acpi::Override;
using kernel::boot::acpi::Polarity;
using kernel::boot::acpi::Trigger;

/// What QEMU's pc and q35 MADTs say (ACPI 6.5 table 5.45 encoding, decoded): one I/O APIC with GSI base 0
/// and the five overrides QEMU builds (IRQ 0 -> GSI 2; 5, 9, 10, 11 level active high).
AcpiInfo qemu_like() {
    AcpiInfo a;
    a.madt = true;
    a.ioapics[a.ioapic_count++] = {0, 0xfec00000, 0};
    a.overrides[a.override_count++] = Override{0, 2, Polarity::bus_default, Trigger::bus_default};
    for (std::uint8_t irq : {5, 9, 10, 11})
        a.overrides[a.override_count++] = Override{irq, irq, Polarity::active_high, Trigger::level};
    return a;
}

TEST(IrqRouting, QemuPcTimerOnGsi2AndPciLinesLevelLow) {
    const AcpiInfo a = qemu_like();
    const unsigned inputs[] = {24};
    const arch::x86::LineRoutes r = arch::x86::route_lines(a, inputs);
    EXPECT_TRUE(r.line[0].present);
    EXPECT_EQ(r.line[0].gsi, 2u);
    EXPECT_EQ(r.line[0].pin, 2u);
    EXPECT_FALSE(r.line[0].level);
    EXPECT_FALSE(r.line[0].active_low);
    EXPECT_FALSE(r.line[2].present) << "the cascade, and GSI 2 belongs to IRQ 0";
    EXPECT_TRUE(r.line[1].present);
    EXPECT_EQ(r.line[1].gsi, 1u);
    EXPECT_TRUE(r.line[9].level);
    EXPECT_FALSE(r.line[9].active_low);
    EXPECT_FALSE(r.line[4].level);
    for (unsigned line = 16; line < 24; ++line) {
        EXPECT_TRUE(r.line[line].present) << line;
        EXPECT_EQ(r.line[line].gsi, line);
        EXPECT_TRUE(r.line[line].level);
        EXPECT_TRUE(r.line[line].active_low);
    }
}

TEST(IrqRouting, GsisNoIoApicServesHaveNoSource) {
    const AcpiInfo a = qemu_like();
    const unsigned inputs[] = {16}; // an I/O APIC with only 16 inputs: GSIs 16..23 exist nowhere
    const arch::x86::LineRoutes r = arch::x86::route_lines(a, inputs);
    EXPECT_TRUE(r.line[15].present);
    for (unsigned line = 16; line < 24; ++line) EXPECT_FALSE(r.line[line].present) << line;
}

TEST(IrqRouting, SecondIoApicAndOverrideOntoAPciGsi) {
    AcpiInfo a;
    a.madt = true;
    a.ioapics[a.ioapic_count++] = {1, 0xfec00000, 0};
    a.ioapics[a.ioapic_count++] = {2, 0xfec01000, 16};
    // IRQ 9 moved to GSI 20, active low: line 9 takes input 4 of the second I/O APIC, and line 20 is gone.
    a.overrides[a.override_count++] = Override{9, 20, Polarity::active_low, Trigger::bus_default};
    const unsigned inputs[] = {16, 8};
    const arch::x86::LineRoutes r = arch::x86::route_lines(a, inputs);
    EXPECT_TRUE(r.line[9].present);
    EXPECT_EQ(r.line[9].ioapic, 1u);
    EXPECT_EQ(r.line[9].pin, 4u);
    EXPECT_FALSE(r.line[9].level) << "bus default for ISA is edge";
    EXPECT_TRUE(r.line[9].active_low);
    EXPECT_FALSE(r.line[20].present);
    EXPECT_TRUE(r.line[21].present);
    EXPECT_EQ(r.line[21].ioapic, 1u);
    EXPECT_EQ(r.line[21].pin, 5u);
    EXPECT_TRUE(r.line[2].present == false);
    EXPECT_TRUE(r.line[0].present);
    EXPECT_EQ(r.line[0].gsi, 0u);
}

TEST(IrqRouting, NoIoApicNoLines) {
    AcpiInfo a;
    const arch::x86::LineRoutes r = arch::x86::route_lines(a, nullptr);
    for (const auto& l : r.line) EXPECT_FALSE(l.present);
}

} // namespace
