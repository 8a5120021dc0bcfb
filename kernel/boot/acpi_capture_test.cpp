// The ACPI parser (acpi.hpp) against tables QEMU 7.2's firmware built (captured by
// testing/capture_acpi.py into testing/acpi/). The hand-built tables are in acpi_test.cpp.
//
// Expected values for the captures come from QEMU's documented machine model and the command line, and were
// checked against `iasl -d` of the captured files (ACPICA's disassembler), never against this parser: -smp 4
// gives 4 enabled local APICs with IDs 0-3 (-smp 2,maxcpus=8: 2 enabled, 6 listed with flags 0); one I/O APIC
// at 0xfec00000 with GSI base 0; ISA IRQ 0 overridden to GSI 2 (flags 0), and on these machines IRQs 5, 9,
// 10, 11 to themselves, level, active high; one local APIC NMI on LINT1 of every processor; local APIC at
// 0xfee00000, PCAT_COMPAT set; HPET at 0xfed00000 (minimum tick 0); the PM timer at I/O port 0x608 (PIIX4's
// and ICH9's ACPI I/O base 0x600 + 8; pc under OVMF 0xb008, since OVMF programs PIIX4's base to 0xb000 and
// QEMU rebuilds the tables to match, as `iasl -d` of that FADT shows), 24 bits (TMR_VAL_EXT clear); q35's
// MCFG: base 0xb0000000 (the default PCIEXBAR), segment 0, buses 0-255; pc has no MCFG. SeaBIOS hands an
// ACPI 1.0 RSDP (revision 0, RSDT only), OVMF an ACPI 2.0 one (revision 2) with an XSDT.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kernel/boot/acpi.hpp"
#include "kernel/boot/testing/acpi_capture.hpp"
#include "kernel/boot/testing/acpi_check.hpp"
#include "kernel/boot/testing/sparse_phys.hpp"

namespace {

using namespace kernel::boot;
using namespace kernel::boot::testing;
using namespace kernel::boot::testing::acpi;
using kernel::boot::acpi::AcpiInfo;
using kernel::boot::acpi::Polarity;
using kernel::boot::acpi::Trigger;

class Captured : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        capture = load_capture(JANUS_ACPI_CAPTURES, GetParam());
        mem.set_strict(true);
        capture.install(mem);
        kernel::boot::acpi::parse(mem, capture.rsdp_pa(), info);
    }
    bool q35() const { return GetParam().rfind("q35", 0) == 0; }
    bool ovmf() const { return GetParam().find("ovmf") != std::string::npos; }
    bool hotplug() const { return GetParam().find("hotplug") != std::string::npos; }

    Capture capture;
    SparsePhys mem;
    AcpiInfo info;
};

TEST_P(Captured, RootTableOfTheFirmware) {
    ASSERT_TRUE(info.found) << describe(info);
    EXPECT_EQ(info.problem_count, 0u) << describe(info);
    EXPECT_EQ(info.problems_dropped, 0u);
    EXPECT_EQ(info.rsdp_pa, capture.rsdp_pa());
    EXPECT_STREQ(info.oem_id, "BOCHS ");
    if (ovmf()) {
        EXPECT_EQ(info.revision, 2);
        EXPECT_TRUE(was_read(mem, capture.get("XSDT.bin").pa)) << "the XSDT is preferred";
        EXPECT_FALSE(was_read(mem, capture.get("RSDT.bin").pa));
    } else {
        EXPECT_EQ(info.revision, 0);
        EXPECT_FALSE(capture.has("XSDT.bin"));
    }
    // Only what exists was asked for: the parser follows the root table's entries and nothing else.
    EXPECT_FALSE(mem.refused_any());
    EXPECT_FALSE(was_read(mem, capture.get("DSDT.bin").pa));
}

TEST_P(Captured, ProcessorsAreTheCommandLines) {
    ASSERT_TRUE(info.madt) << describe(info);
    EXPECT_EQ(info.lapic_address, 0xfee00000u);
    EXPECT_TRUE(info.pcat_compat);
    const std::size_t n = hotplug() ? 2 : 4; // -smp 2,maxcpus=8 lists 6 more with flags 0: absent
    ASSERT_EQ(info.cpu_count, n);
    EXPECT_EQ(info.cpus_dropped, 0u);
    for (std::size_t i = 0; i < n; ++i) {
        EXPECT_EQ(info.cpus[i].apic_id, i);
        EXPECT_EQ(info.cpus[i].uid, i);
        EXPECT_TRUE(info.cpus[i].enabled);
        EXPECT_FALSE(info.cpus[i].online_capable);
        EXPECT_FALSE(info.cpus[i].x2apic_entry);
    }
}

TEST_P(Captured, InterruptControllers) {
    ASSERT_TRUE(info.madt);
    ASSERT_EQ(info.ioapic_count, 1u);
    EXPECT_EQ(info.ioapics[0].id, 0);
    EXPECT_EQ(info.ioapics[0].address, 0xfec00000u);
    EXPECT_EQ(info.ioapics[0].gsi_base, 0u);

    const auto* irq0 = info.override_for(0);
    ASSERT_NE(irq0, nullptr);
    EXPECT_EQ(irq0->gsi, 2u);
    EXPECT_EQ(irq0->polarity, Polarity::bus_default);
    EXPECT_EQ(irq0->trigger, Trigger::bus_default);
    for (std::uint8_t irq : {5, 9, 10, 11}) {
        const auto* o = info.override_for(irq);
        ASSERT_NE(o, nullptr) << int(irq);
        EXPECT_EQ(o->gsi, irq);
        EXPECT_EQ(o->polarity, Polarity::active_high);
        EXPECT_EQ(o->trigger, Trigger::level);
    }
    EXPECT_EQ(info.override_count, 5u);
    EXPECT_EQ(info.override_for(1), nullptr);
    EXPECT_EQ(info.override_for(4), nullptr);

    ASSERT_EQ(info.nmi_count, 1u);
    EXPECT_TRUE(info.nmis[0].all_cpus);
    EXPECT_EQ(info.nmis[0].uid, 0xffu);
    EXPECT_EQ(info.nmis[0].lint, 1);
}

TEST_P(Captured, Timers) {
    EXPECT_TRUE(info.pm_timer.present);
    // OVMF moves PIIX4's ACPI I/O base to 0xb000 (its PcdAcpiPmBaseAddress) and QEMU rebuilds the tables.
    EXPECT_EQ(info.pm_timer.port, GetParam() == "pc-ovmf" ? 0xb008 : 0x608);
    EXPECT_FALSE(info.pm_timer.bits32);
    EXPECT_TRUE(info.hpet.present);
    EXPECT_EQ(info.hpet.address, 0xfed00000u);
    EXPECT_EQ(info.hpet.min_tick, 0);
}

TEST_P(Captured, PciConfigurationSpaceOnQ35Only) {
    if (!q35()) {
        EXPECT_EQ(info.mcfg_count, 0u);
        return;
    }
    ASSERT_EQ(info.mcfg_count, 1u);
    EXPECT_EQ(info.mcfg[0].base, 0xb0000000u);
    EXPECT_EQ(info.mcfg[0].segment, 0);
    EXPECT_EQ(info.mcfg[0].start_bus, 0);
    EXPECT_EQ(info.mcfg[0].end_bus, 255);
}

TEST_P(Captured, OneCorruptByteInTheMadtCostsTheMadtOnly) {
    const CapturedTable& apic = capture.get("APIC.bin");
    *mem.at(apic.pa + 50) ^= std::byte{0x01}; // inside the second local APIC entry
    kernel::boot::acpi::parse(mem, capture.rsdp_pa(), info);
    EXPECT_TRUE(info.found);
    EXPECT_FALSE(info.madt);
    EXPECT_EQ(info.cpu_count, 0u);
    EXPECT_EQ(info.ioapic_count, 0u);
    EXPECT_TRUE(has_problem(info, "APIC", "checksum")) << describe(info);
    EXPECT_TRUE(info.pm_timer.present);
    EXPECT_TRUE(info.hpet.present);
}

INSTANTIATE_TEST_SUITE_P(Qemu, Captured, ::testing::ValuesIn(capture_names()), [](const auto& p) {
    std::string s = p.param;
    for (char& c : s)
        if (c == '-') c = '_';
    return s;
});

TEST(CapturedScan, SeabiosRsdpIsFoundInTheBiosAreaWithoutAHint) {
    Capture c = load_capture(JANUS_ACPI_CAPTURES, "pc-seabios");
    SparsePhys mem;
    mem.set_strict(true);
    mem.add(0x400, 0x100).write_u32(0x40e, 0x9fc0); // BDA: EBDA at 0x9fc00 (QEMU's), which holds no RSDP
    mem.add(0x9fc00, 0x400);
    mem.add(0xe0000, 0x20000);
    for (const CapturedTable& t : c.tables) {
        if (t.file != "RSDP.bin") mem.add(t.pa, t.bytes.size());
        mem.write(t.pa, t.bytes);
    }
    AcpiInfo info;
    kernel::boot::acpi::parse(mem, 0, info);
    ASSERT_TRUE(info.found) << describe(info);
    EXPECT_EQ(info.rsdp_pa, c.rsdp_pa());
    EXPECT_EQ(info.cpu_count, 4u);
    EXPECT_TRUE(was_read(mem, 0x9fc00)) << "the EBDA is scanned first";
}
} // namespace
