// The ACPI parser (acpi.hpp) against tables built from the specification (testing/acpi_builder.hpp), broken
// one way at a time, and the legacy RSDP scan. The tables QEMU's firmware builds: acpi_capture_test.cpp.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kernel/boot/acpi.hpp"
#include "kernel/boot/testing/acpi_builder.hpp"
#include "kernel/boot/testing/acpi_check.hpp"
#include "kernel/boot/testing/sparse_phys.hpp"

namespace {

using namespace kernel::boot;
using namespace kernel::boot::testing;
using namespace kernel::boot::testing::acpi;
using kernel::boot::acpi::AcpiInfo;
using kernel::boot::acpi::Polarity;
using kernel::boot::acpi::Trigger;

// ----------------------------------------------------------------------------------------- hand-built

constexpr std::uint64_t tables_pa = 0x7fe0000, rsdp_pa = 0xf5a40;

Bytes standard_madt_body() {
    return madt::body(0xfee00000, 1,
                      {madt::lapic(0, 0, madt::enabled), madt::lapic(1, 1, madt::enabled),
                       madt::ioapic(2, 0xfec00000, 0), madt::source_override(0, 0, 2, 0),
                       madt::source_override(0, 9, 9, madt::active_high | madt::level),
                       madt::lapic_nmi(0xff, 0, 1)});
}
Bytes standard_madt(const TableKnobs& k = {}) {
    return table("APIC", standard_madt_body(), 4, k);
}
Bytes standard_fadt() {
    return table("FACP", Fadt{}.body(), 6);
}
Bytes standard_hpet() {
    return table("HPET", hpet_body(Gas{0, 64, 0, 0, 0xfed00000}, 0x80), 1);
}
Bytes standard_mcfg() {
    return table("MCFG", mcfg_body({{0xb0000000, 0, 0, 0xff}}), 1);
}

class Acpi : public ::testing::Test {
protected:
    Acpi() {
        image.tables = {standard_fadt(), standard_madt(), standard_hpet(), standard_mcfg()};
        mem.set_strict(true);
    }

    void parse(std::uint64_t hint = rsdp_pa) {
        image.write_to(mem);
        mem.clear_log();
        kernel::boot::acpi::parse(mem, hint, info);
        check_invariants();
    }

    void check_invariants() {
        EXPECT_LE(info.cpu_count, AcpiInfo::max_cpus);
        EXPECT_LE(info.problem_count, AcpiInfo::max_problems);
        if (!info.madt) {
            EXPECT_EQ(info.cpu_count + info.ioapic_count + info.override_count + info.nmi_count, 0u);
            EXPECT_EQ(info.cpus_dropped, 0u);
        }
        for (std::size_t i = 0; i < info.problem_count; ++i) EXPECT_EQ(info.problems[i].signature[4], '\0');
    }

    void expect_standard_madt() {
        ASSERT_TRUE(info.madt) << describe(info);
        ASSERT_EQ(info.cpu_count, 2u);
        EXPECT_EQ(info.ioapic_count, 1u);
        EXPECT_EQ(info.override_count, 2u);
        EXPECT_EQ(info.nmi_count, 1u);
    }
    void expect_others_used() {
        EXPECT_TRUE(info.pm_timer.present) << describe(info);
        EXPECT_TRUE(info.hpet.present) << describe(info);
        EXPECT_EQ(info.mcfg_count, 1u) << describe(info);
    }

    AcpiImage image;
    SparsePhys mem;
    AcpiInfo info;
};

TEST_F(Acpi, WellFormedTablesParseCompletely) {
    parse();
    ASSERT_TRUE(info.found);
    EXPECT_EQ(info.problem_count, 0u) << describe(info);
    EXPECT_EQ(info.rsdp_pa, rsdp_pa);
    EXPECT_EQ(info.revision, 2);
    EXPECT_STREQ(info.oem_id, "JANUS ");
    expect_standard_madt();
    EXPECT_EQ(info.lapic_address, 0xfee00000u);
    EXPECT_TRUE(info.pcat_compat);
    EXPECT_EQ(info.overrides[1].source, 9);
    EXPECT_EQ(info.overrides[1].polarity, Polarity::active_high);
    EXPECT_EQ(info.overrides[1].trigger, Trigger::level);
    EXPECT_EQ(info.pm_timer.port, 0x608);
    EXPECT_EQ(info.hpet.address, 0xfed00000u);
    EXPECT_EQ(info.hpet.min_tick, 0x80);
    EXPECT_EQ(info.mcfg[0].end_bus, 0xff);
    EXPECT_FALSE(mem.refused_any());
}

TEST_F(Acpi, NoHintAndNothingInTheLegacyAreasFindsNothing) {
    image.rsdp_pa = 0x777d010;
    parse(0);
    EXPECT_FALSE(info.found);
    EXPECT_EQ(info.problem_count, 0u);
}

// ---- RSDP

TEST_F(Acpi, RsdpWithBadChecksumIsRejected) {
    image.rsdp.checksum_delta = 1;
    parse();
    EXPECT_FALSE(info.found);
    EXPECT_FALSE(info.madt);
    EXPECT_TRUE(has_problem(info, "RSDP", "bad checksum")) << describe(info);
}

TEST_F(Acpi, RsdpWithBadExtendedChecksumIsRejected) {
    image.rsdp.extended_checksum_delta = 1;
    parse();
    EXPECT_FALSE(info.found);
    EXPECT_TRUE(has_problem(info, "RSDP", "extended checksum")) << describe(info);
}

TEST_F(Acpi, RsdpWithImpossibleExtendedLengthIsRejected) {
    for (std::uint32_t length : {0u, 20u, 35u, 1u << 20}) {
        image.rsdp.length = length;
        parse();
        EXPECT_FALSE(info.found) << length;
        EXPECT_TRUE(has_problem(info, "RSDP")) << describe(info);
    }
}

TEST_F(Acpi, RsdpWithWrongSignatureIsRejected) {
    image.write_to(mem);
    *mem.at(rsdp_pa) = std::byte{'X'};
    kernel::boot::acpi::parse(mem, rsdp_pa, info);
    EXPECT_FALSE(info.found);
    EXPECT_TRUE(has_problem(info, "RSDP", "signature")) << describe(info);
}

TEST_F(Acpi, HintOutsideReadableMemory) {
    parse(0x12345670);
    EXPECT_FALSE(info.found);
    EXPECT_TRUE(has_problem(info, "RSDP", "readable")) << describe(info);
}

TEST_F(Acpi, Revision0UsesTheRsdt) {
    image.rsdp.revision = 0;
    parse();
    ASSERT_TRUE(info.found) << describe(info);
    EXPECT_EQ(info.revision, 0);
    expect_standard_madt();
    expect_others_used();
}

TEST_F(Acpi, BadXsdtFallsBackToTheRsdt) {
    image.xsdt_knobs.checksum_delta = 3;
    parse();
    ASSERT_TRUE(info.found) << describe(info);
    EXPECT_TRUE(has_problem(info, "XSDT", "checksum")) << describe(info);
    expect_standard_madt();
    expect_others_used();
}

TEST_F(Acpi, XsdtPreferredOverRsdt) {
    image.rsdt_entries = std::vector<std::uint64_t>{}; // an empty RSDT: only the XSDT names the tables
    parse();
    ASSERT_TRUE(info.found);
    expect_standard_madt();
}

TEST_F(Acpi, XsdtAddressZeroUsesTheRsdt) {
    image.with_xsdt = false;
    parse();
    ASSERT_TRUE(info.found);
    EXPECT_EQ(info.problem_count, 0u) << describe(info);
    expect_standard_madt();
}

TEST_F(Acpi, RsdtOutsideReadableMemory) {
    image.rsdp.revision = 0;
    Rsdp r = image.rsdp;
    r.rsdt = 0x40000000;
    image.write_to(mem);
    mem.write(rsdp_pa, r.build());
    kernel::boot::acpi::parse(mem, rsdp_pa, info);
    EXPECT_FALSE(info.found);
    EXPECT_TRUE(has_problem(info, "RSDT", "readable")) << describe(info);
}

TEST_F(Acpi, XsdtAndRsdtBothBadFindsNothing) {
    image.xsdt_knobs.checksum_delta = 1;
    image.rsdt_knobs.checksum_delta = 1;
    parse();
    EXPECT_FALSE(info.found);
    EXPECT_TRUE(has_problem(info, "XSDT"));
    EXPECT_TRUE(has_problem(info, "RSDT"));
}

TEST_F(Acpi, RootTableWithTrailingBytesUsesItsWholeEntries) {
    image.rsdp.revision = 0;
    image.write_to(mem);
    // An RSDT of 2 entries and 3 trailing bytes.
    Bytes body = root_body({image.layout()[0].pa, image.layout()[1].pa}, 4); // FADT, MADT
    body.insert(body.end(), 3, std::byte{0});
    Bytes rsdt = table("RSDT", body);
    const std::uint64_t rsdt_pa = 0x7ff0000;
    mem.add(rsdt_pa, rsdt.size()).write(rsdt_pa, rsdt);
    Rsdp r = image.rsdp;
    r.rsdt = rsdt_pa;
    mem.write(rsdp_pa, r.build());
    kernel::boot::acpi::parse(mem, rsdp_pa, info);
    ASSERT_TRUE(info.found);
    EXPECT_TRUE(has_problem(info, "RSDT", "whole number")) << describe(info);
    expect_standard_madt();
    EXPECT_TRUE(info.pm_timer.present);
    EXPECT_FALSE(info.hpet.present); // not listed
}

TEST_F(Acpi, RootEntryOutsideReadableMemoryIsAProblemOthersStillUsed) {
    auto placed = image.layout();
    image.xsdt_entries =
        std::vector<std::uint64_t>{0x40000000, 0, placed[0].pa, placed[1].pa, placed[2].pa, placed[3].pa};
    parse();
    ASSERT_TRUE(info.found);
    EXPECT_TRUE(has_problem(info, "XSDT", "outside readable")) << describe(info);
    EXPECT_EQ(info.problem_count, 1u) << describe(info); // the null entry is skipped quietly
    expect_standard_madt();
    expect_others_used();
}

// ---- every table's header

TEST_F(Acpi, TableLengthBelowTheHeader) {
    image.tables[1] = standard_madt({20, 0});
    parse();
    ASSERT_TRUE(info.found);
    EXPECT_FALSE(info.madt);
    EXPECT_TRUE(has_problem(info, "APIC", "shorter than the table header")) << describe(info);
    expect_others_used();
}

TEST_F(Acpi, TableLengthPastReadableMemory) {
    // The MADT last in the block, claiming 4 KiB more than there is.
    Bytes madt = standard_madt();
    image.tables = {standard_fadt(), standard_hpet(), standard_mcfg(),
                    standard_madt({static_cast<std::uint32_t>(madt.size() + 4096), 0})};
    image.with_rsdt = false;
    auto placed = image.layout();
    image.tables_pa = tables_pa;
    // The XSDT comes after the tables in the block; move the block's end to just after the MADT's bytes by
    // writing the XSDT elsewhere.
    image.with_xsdt = false;
    image.rsdp.revision = 2;
    placed = image.layout();
    image.write_to(mem);
    Bytes xsdt = table("XSDT", root_body({placed[0].pa, placed[1].pa, placed[2].pa, placed[3].pa}, 8));
    mem.add(0x100000, xsdt.size()).write(0x100000, xsdt);
    Rsdp r = image.rsdp;
    r.xsdt = 0x100000;
    mem.write(rsdp_pa, r.build());
    kernel::boot::acpi::parse(mem, rsdp_pa, info);
    ASSERT_TRUE(info.found) << describe(info);
    EXPECT_FALSE(info.madt);
    EXPECT_TRUE(has_problem(info, "APIC", "past readable memory")) << describe(info);
    expect_others_used();
}

TEST_F(Acpi, TableLengthTooLarge) {
    image.tables[1] = standard_madt({2u << 20, 0});
    parse();
    EXPECT_FALSE(info.madt);
    EXPECT_TRUE(has_problem(info, "APIC", "too large")) << describe(info);
}

TEST_F(Acpi, MadtWithBadChecksumIsSkippedOthersStillUsed) {
    image.tables[1] = standard_madt({std::nullopt, 1});
    parse();
    ASSERT_TRUE(info.found);
    EXPECT_FALSE(info.madt);
    EXPECT_EQ(info.cpu_count, 0u);
    ASSERT_EQ(info.problem_count, 1u) << describe(info);
    EXPECT_STREQ(info.problems[0].signature, "APIC");
    EXPECT_STREQ(info.problems[0].what, "bad checksum");
    EXPECT_EQ(info.problems[0].pa, image.layout()[1].pa);
    expect_others_used();
}

TEST_F(Acpi, FirstGoodTableOfASignatureWins) {
    Bytes bad = standard_madt({std::nullopt, 1});
    Bytes second = table("APIC", madt::body(0xfee00000, 0, {madt::lapic(7, 7, madt::enabled)}));
    Bytes third = table("APIC", madt::body(0xfee00000, 0, {madt::lapic(8, 8, madt::enabled)}));
    image.tables = {bad, second, third, standard_fadt()};
    parse();
    ASSERT_TRUE(info.madt) << describe(info);
    ASSERT_EQ(info.cpu_count, 1u);
    EXPECT_EQ(info.cpus[0].apic_id, 7u);
}

// ---- MADT entries

TEST_F(Acpi, MadtEntryOfLengthZeroRejectsTheMadt) {
    image.tables[1] = table("APIC", madt::body(0xfee00000, 1,
                                               {madt::lapic(0, 0, madt::enabled), madt::raw(0x7f, 0, Bytes{}),
                                                madt::lapic(1, 1, madt::enabled)}));
    parse();
    ASSERT_TRUE(info.found);
    EXPECT_FALSE(info.madt);
    EXPECT_EQ(info.cpu_count, 0u);
    EXPECT_EQ(info.lapic_address, 0u);
    EXPECT_TRUE(has_problem(info, "APIC", "entry")) << describe(info);
    expect_others_used();
}

TEST_F(Acpi, MadtEntryRunningPastTheEndRejectsTheMadt) {
    Bytes tail = madt::raw(0x80, 40, Bytes(6, std::byte{0})); // claims 40 bytes, has 8
    image.tables[1] = table("APIC", madt::body(0xfee00000, 1, {madt::lapic(0, 0, madt::enabled), tail}));
    parse();
    EXPECT_FALSE(info.madt);
    EXPECT_EQ(info.cpu_count, 0u);
    EXPECT_TRUE(has_problem(info, "APIC", "past the table")) << describe(info);
}

TEST_F(Acpi, MadtEntryShorterThanItsTypeRejectsTheMadt) {
    Bytes short_lapic = madt::lapic(1, 1, madt::enabled);
    short_lapic[1] = std::byte{6};
    short_lapic.resize(6);
    image.tables[1] =
        table("APIC", madt::body(0xfee00000, 1, {madt::lapic(0, 0, madt::enabled), short_lapic}));
    parse();
    EXPECT_FALSE(info.madt);
    EXPECT_TRUE(has_problem(info, "APIC", "shorter than its type")) << describe(info);
}

TEST_F(Acpi, MadtWithOneTrailingByteIsRejected) {
    Bytes body = standard_madt_body();
    body.push_back(std::byte{0});
    image.tables[1] = table("APIC", body);
    parse();
    EXPECT_FALSE(info.madt);
    EXPECT_TRUE(has_problem(info, "APIC")) << describe(info);
}

TEST_F(Acpi, MadtTooShortForItsFixedFields) {
    image.tables[1] = table("APIC", Bytes(4, std::byte{0}));
    parse();
    EXPECT_FALSE(info.madt);
    EXPECT_TRUE(has_problem(info, "APIC", "too short")) << describe(info);
}

TEST_F(Acpi, LongerEntriesAndUnknownTypesAreSkippedByLength) {
    Bytes long_lapic = madt::lapic(1, 1, madt::enabled);
    long_lapic[1] = std::byte{12};
    long_lapic.resize(12, std::byte{0xee});
    image.tables[1] =
        table("APIC", madt::body(0xfee00000, 0,
                                 {madt::raw(0x11, 20), madt::lapic(0, 0, madt::enabled), long_lapic,
                                  madt::raw(0x7f, 2), madt::raw(3, 16) /* NMI source */,
                                  madt::raw(0xd, 16) /* GIC, not on x86 */}));
    parse();
    ASSERT_TRUE(info.madt) << describe(info);
    EXPECT_EQ(info.problem_count, 0u) << describe(info);
    ASSERT_EQ(info.cpu_count, 2u);
    EXPECT_EQ(info.cpus[1].apic_id, 1u);
    EXPECT_FALSE(info.pcat_compat);
}

TEST_F(Acpi, OverrideOfAnotherBusIsDropped) {
    image.tables[1] =
        table("APIC", madt::body(0xfee00000, 1,
                                 {madt::lapic(0, 0, madt::enabled), madt::source_override(1, 0, 2, 0),
                                  madt::source_override(0, 16, 16, 0),
                                  madt::source_override(0, 1, 1, 2 /* reserved polarity */),
                                  madt::source_override(0, 9, 20, madt::level | madt::active_low),
                                  madt::source_override(0, 9, 21, 0)}));
    parse();
    ASSERT_TRUE(info.madt) << describe(info);
    EXPECT_EQ(info.cpu_count, 1u);
    ASSERT_EQ(info.override_count, 1u) << describe(info);
    EXPECT_EQ(info.overrides[0].source, 9);
    EXPECT_EQ(info.overrides[0].gsi, 20u);
    EXPECT_EQ(info.overrides[0].polarity, Polarity::active_low);
    EXPECT_EQ(info.override_for(0), nullptr);
    EXPECT_TRUE(has_problem(info, "APIC", "bus other than ISA")) << describe(info);
    EXPECT_TRUE(has_problem(info, "APIC", "above 15"));
    EXPECT_TRUE(has_problem(info, "APIC", "reserved polarity"));
    EXPECT_TRUE(has_problem(info, "APIC", "second override"));
}

TEST_F(Acpi, X2apicOnlyMadtIsValid) {
    image.tables[1] = table("APIC", madt::body(0xfee00000, 0,
                                               {madt::x2apic(0x100, madt::enabled, 1),
                                                madt::x2apic(0x101, madt::online_capable, 2),
                                                madt::x2apic(0x102, 0, 3), madt::x2apic_nmi(0, 0xffffffff, 1),
                                                madt::x2apic_nmi(madt::edge | madt::active_high, 2, 0)}));
    parse();
    ASSERT_TRUE(info.madt) << describe(info);
    ASSERT_EQ(info.cpu_count, 2u);
    EXPECT_EQ(info.cpus[0].apic_id, 0x100u);
    EXPECT_EQ(info.cpus[0].uid, 1u);
    EXPECT_TRUE(info.cpus[0].x2apic_entry);
    EXPECT_TRUE(info.cpus[0].enabled);
    EXPECT_FALSE(info.cpus[1].enabled);
    EXPECT_TRUE(info.cpus[1].online_capable);
    ASSERT_EQ(info.nmi_count, 2u);
    EXPECT_TRUE(info.nmis[0].all_cpus);
    EXPECT_FALSE(info.nmis[1].all_cpus);
    EXPECT_EQ(info.nmis[1].uid, 2u);
    EXPECT_EQ(info.nmis[1].lint, 0);
    EXPECT_EQ(info.nmis[1].trigger, Trigger::edge);
    EXPECT_EQ(info.ioapic_count, 0u);
}

TEST_F(Acpi, DuplicateApicIdsDropTheLaterEntry) {
    image.tables[1] =
        table("APIC", madt::body(0xfee00000, 0,
                                 {madt::lapic(0, 0, madt::enabled), madt::lapic(1, 1, madt::enabled),
                                  madt::lapic(2, 1, madt::enabled), madt::x2apic(0, madt::enabled, 9),
                                  madt::lapic(3, 3, madt::enabled)}));
    parse();
    ASSERT_TRUE(info.madt) << describe(info);
    ASSERT_EQ(info.cpu_count, 3u);
    EXPECT_EQ(info.cpus[1].uid, 1u);
    EXPECT_EQ(info.cpus[2].apic_id, 3u);
    EXPECT_EQ(info.problem_count, 2u) << describe(info);
    EXPECT_TRUE(has_problem(info, "APIC", "duplicate APIC ID"));
}

TEST_F(Acpi, MoreThan256CpusAreCounted) {
    std::vector<Bytes> entries;
    for (std::uint32_t i = 0; i < 300; ++i) entries.push_back(madt::x2apic(i, madt::enabled, i));
    image.tables[1] = table("APIC", madt::body(0xfee00000, 0, entries));
    parse();
    ASSERT_TRUE(info.madt) << describe(info);
    EXPECT_EQ(info.cpu_count, 256u);
    EXPECT_EQ(info.cpus_dropped, 44u);
    EXPECT_EQ(info.cpus[255].apic_id, 255u);
    EXPECT_EQ(info.problem_count, 0u);
}

TEST_F(Acpi, TooManyIoApicsAreAProblem) {
    std::vector<Bytes> entries;
    for (std::uint8_t i = 0; i < 18; ++i)
        entries.push_back(madt::ioapic(i, 0xfec00000 + i * 0x1000u, i * 24u));
    image.tables[1] = table("APIC", madt::body(0xfee00000, 0, entries));
    parse();
    ASSERT_TRUE(info.madt);
    EXPECT_EQ(info.ioapic_count, 16u);
    EXPECT_EQ(info.problem_count, 2u) << describe(info);
}

TEST_F(Acpi, LocalApicAddressOverride) {
    image.tables[1] =
        table("APIC", madt::body(0xfee00000, 0,
                                 {madt::lapic(0, 0, madt::enabled), madt::lapic_address(0xfedc0000000),
                                  madt::lapic_address(0x1000)}));
    parse();
    ASSERT_TRUE(info.madt);
    EXPECT_EQ(info.lapic_address, 0xfedc0000000u);
}

TEST_F(Acpi, NmiOnLint2IsDropped) {
    image.tables[1] = table("APIC", madt::body(0xfee00000, 0,
                                               {madt::lapic(0, 0, madt::enabled), madt::lapic_nmi(0, 0, 2),
                                                madt::lapic_nmi(0, madt::active_low | madt::level, 0)}));
    parse();
    ASSERT_TRUE(info.madt);
    ASSERT_EQ(info.nmi_count, 1u);
    EXPECT_EQ(info.nmis[0].uid, 0u);
    EXPECT_FALSE(info.nmis[0].all_cpus);
    EXPECT_EQ(info.nmis[0].polarity, Polarity::active_low);
    EXPECT_TRUE(has_problem(info, "APIC", "LINT"));
}

// ---- problems

TEST_F(Acpi, ProblemsBeyondSixteenAreCounted) {
    std::vector<std::uint64_t> entries(20, 0x40000000);
    image.xsdt_entries = entries;
    parse();
    ASSERT_TRUE(info.found);
    EXPECT_EQ(info.problem_count, AcpiInfo::max_problems);
    EXPECT_EQ(info.problems_dropped, 4u);
}

TEST(AcpiPut, OneLineWithTableAddressReasonAndValue) {
    kernel::boot::acpi::Problem p{"APIC", 0x7fe1a70, "bad checksum", 0x4b};
    char line[128];
    kernel::BufferSink sink(line, sizeof line);
    kernel::boot::acpi::put(sink, p);
    EXPECT_EQ(std::string(line), "acpi: APIC at 0x7fe1a70: bad checksum (value 0x4b)");
}

// ---- FADT

TEST_F(Acpi, FadtTooShortForXPmTmrBlkUsesPmTmrBlk) {
    Fadt f;
    f.length = 244 - 32; // has PM_TMR_BLK and flags, not X_PM_TMR_BLK
    f.x_pm_tmr_blk.address = 0xb008;
    f.pm_tmr_blk = 0x1808;
    f.flags = 1u << 8;
    image.tables[0] = table("FACP", f.body(), 2);
    parse();
    ASSERT_TRUE(info.pm_timer.present) << describe(info);
    EXPECT_EQ(info.pm_timer.port, 0x1808);
    EXPECT_TRUE(info.pm_timer.bits32);
}

TEST_F(Acpi, FadtXPmTmrBlkTakesPrecedence) {
    Fadt f;
    f.x_pm_tmr_blk.address = 0xb008;
    f.pm_tmr_blk = 0x1808;
    image.tables[0] = table("FACP", f.body(), 6);
    parse();
    ASSERT_TRUE(info.pm_timer.present);
    EXPECT_EQ(info.pm_timer.port, 0xb008);
    EXPECT_FALSE(info.pm_timer.bits32);
}

TEST_F(Acpi, FadtXPmTmrBlkInMemorySpaceIsAProblemAndPmTmrBlkIsUsed) {
    Fadt f;
    f.x_pm_tmr_blk = Gas{0, 32, 0, 3, 0xfe000608};
    image.tables[0] = table("FACP", f.body(), 6);
    parse();
    EXPECT_TRUE(has_problem(info, "FACP", "I/O space")) << describe(info);
    ASSERT_TRUE(info.pm_timer.present);
    EXPECT_EQ(info.pm_timer.port, 0x608);
}

TEST_F(Acpi, FadtPortAbove16BitsIsAProblem) {
    Fadt f;
    f.length = 116;
    f.pm_tmr_blk = 0x10608;
    image.tables[0] = table("FACP", f.body(), 1);
    parse();
    EXPECT_FALSE(info.pm_timer.present);
    EXPECT_TRUE(has_problem(info, "FACP", "above 0xffff")) << describe(info);
}

TEST_F(Acpi, FadtWithoutTimer) {
    Fadt f;
    f.pm_tmr_blk = 0;
    f.pm_tmr_len = 0;
    f.x_pm_tmr_blk = Gas{};
    image.tables[0] = table("FACP", f.body(), 6);
    parse();
    EXPECT_FALSE(info.pm_timer.present);
    EXPECT_EQ(info.problem_count, 0u) << describe(info);
}

TEST_F(Acpi, FadtPmTmrLenNot4IsAProblem) {
    Fadt f;
    f.length = 116;
    f.pm_tmr_len = 2;
    image.tables[0] = table("FACP", f.body(), 1);
    parse();
    EXPECT_FALSE(info.pm_timer.present);
    EXPECT_TRUE(has_problem(info, "FACP", "PM_TMR_LEN")) << describe(info);
}

TEST_F(Acpi, FadtShorterThanAcpi1IsRejected) {
    image.tables[0] = table("FACP", Bytes(60, std::byte{0}), 1);
    parse();
    EXPECT_FALSE(info.pm_timer.present);
    EXPECT_TRUE(has_problem(info, "FACP", "shorter")) << describe(info);
    expect_standard_madt();
}

// ---- HPET, MCFG

TEST_F(Acpi, HpetInIoSpaceIsAProblem) {
    image.tables[2] = table("HPET", hpet_body(Gas{1, 64, 0, 0, 0xfed00000}, 0x80));
    parse();
    EXPECT_FALSE(info.hpet.present);
    EXPECT_TRUE(has_problem(info, "HPET", "system memory")) << describe(info);
    expect_standard_madt();
}

TEST_F(Acpi, HpetTooShortIsAProblem) {
    Bytes body = hpet_body(Gas{0, 64, 0, 0, 0xfed00000}, 0x80);
    body.resize(14);
    image.tables[2] = table("HPET", body);
    parse();
    EXPECT_FALSE(info.hpet.present);
    EXPECT_TRUE(has_problem(info, "HPET", "too short")) << describe(info);
}

TEST_F(Acpi, McfgStartBusAboveEndBusIsAProblem) {
    image.tables[3] = table("MCFG", mcfg_body({{0xb0000000, 0, 0x80, 0x7f}, {0xc0000000, 1, 0, 0x3f}}));
    parse();
    ASSERT_EQ(info.mcfg_count, 1u) << describe(info);
    EXPECT_EQ(info.mcfg[0].base, 0xc0000000u);
    EXPECT_EQ(info.mcfg[0].segment, 1);
    EXPECT_EQ(info.mcfg[0].end_bus, 0x3f);
    EXPECT_TRUE(has_problem(info, "MCFG", "start bus above end bus")) << describe(info);
}

TEST_F(Acpi, McfgWithPartialEntryUsesTheWholeOnes) {
    Bytes body = mcfg_body({{0xb0000000, 0, 0, 0xff}});
    body.resize(body.size() + 5);
    image.tables[3] = table("MCFG", body);
    parse();
    EXPECT_EQ(info.mcfg_count, 1u);
    EXPECT_TRUE(has_problem(info, "MCFG", "whole number")) << describe(info);
}

// ---- legacy scan

class AcpiScan : public Acpi {
protected:
    AcpiScan() {
        image.rsdp.revision = 0;
        mem.add(0x400, 0x100); // BIOS data area
        mem.add(0x9fc00, 0x400);
        mem.add(0xe0000, 0x20000);
        mem.range(0x40e).write(0x40e, "\xc0\x9f", 2); // EBDA segment 0x9fc0
    }
};

TEST_F(AcpiScan, FoundInTheEbda) {
    image.rsdp_pa = 0x9fc00 + 0x200;
    parse(0);
    ASSERT_TRUE(info.found) << describe(info);
    EXPECT_EQ(info.rsdp_pa, 0x9fe00u);
    expect_standard_madt();
}

TEST_F(AcpiScan, FoundInTheBiosArea) {
    image.rsdp_pa = 0xfffe0;
    parse(0);
    ASSERT_TRUE(info.found) << describe(info);
    EXPECT_EQ(info.rsdp_pa, 0xfffe0u);
}

TEST_F(AcpiScan, OnlySixteenByteBoundaries) {
    image.rsdp_pa = 0xf0008;
    parse(0);
    EXPECT_FALSE(info.found);
}

TEST_F(AcpiScan, BeyondTheFirstKibOfTheEbdaIsNotScanned) {
    mem.add(0xa0000, 0x100);
    mem.range(0x40e).write(0x40e, "\x00\x9c", 2); // EBDA at 0x9c000: first KiB 0x9c000-0x9c3ff
    mem.add(0x9c000, 0x800);
    image.rsdp_pa = 0x9c400;
    parse(0);
    EXPECT_FALSE(info.found);
}

TEST_F(AcpiScan, StaleCopyWithBadChecksumIsPassedOver) {
    image.rsdp_pa = 0xf1000;
    image.write_to(mem);
    Rsdp stale = image.rsdp;
    stale.checksum_delta = 7;
    mem.write(0xe8000, stale.build());
    parse(0);
    ASSERT_TRUE(info.found) << describe(info);
    EXPECT_EQ(info.rsdp_pa, 0xf1000u);
    EXPECT_EQ(info.problem_count, 0u) << describe(info);
}

TEST_F(AcpiScan, PartlyUnreadableAreasAreSkipped) {
    // Only the last 64 KiB of the BIOS area readable, and in pieces.
    SparsePhys other;
    other.set_strict(true);
    other.add(0xf0000, 0x800);
    other.add(0xf0900, 0x20);
    image.rsdp_pa = 0xf0900;
    image.write_to(other);
    kernel::boot::acpi::parse(other, 0, info);
    ASSERT_TRUE(info.found) << describe(info);
    EXPECT_EQ(info.rsdp_pa, 0xf0900u);
}

TEST_F(Acpi, UefiLikeMemoryHasNoLegacyAreas) {
    // Nothing below 1 MiB readable: no BDA, no EBDA, no BIOS area. The RSDP is there only by the hint.
    image.rsdp_pa = 0x777d014;
    parse(0);
    EXPECT_FALSE(info.found);
    EXPECT_EQ(info.problem_count, 0u);
    parse(0x777d014);
    EXPECT_TRUE(info.found);
}

TEST_F(Acpi, NoScanWhenTheHintIsGiven) {
    image.rsdp_pa = 0xf5a40;
    mem.add(0xe0000, 0x20000);
    image.write_to(mem);
    parse(0xf5a50); // wrong by 16 bytes: an RSDP nearby is not searched for
    EXPECT_FALSE(info.found);
    EXPECT_TRUE(has_problem(info, "RSDP"));
}

} // namespace
