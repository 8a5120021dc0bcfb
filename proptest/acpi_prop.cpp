// Properties of the ACPI parser (ctest boot.AcpiProp.*, label prop, run under ASan+UBSan).
//
//  * Well-formed table sets, generated from the specification with acpi_builder.hpp (random local APIC and
//    x2APIC entries, absent ones among them, I/O APICs, ISA overrides, NMIs of both kinds, a local APIC
//    address override, unknown entry types and tables; FADT, HPET and MCFG present or not; RSDT, XSDT or
//    both; tables in any order), parse back to exactly what was generated, with no problem and no refused
//    read.
//  * One byte of such a set changed (XOR with a non-zero value) never crashes and keeps AcpiInfo's invariants
//    (testing/acpi_check.hpp); and since a one-byte change always breaks a byte-sum checksum, the outcome is
//    known exactly unless the byte is in a table's length field: a changed table is not used (its part of
//    AcpiInfo is empty; a changed XSDT falls back to the RSDT, a changed RSDP or only root table finds
//    nothing) and everything else is as generated. A change in the padding between tables changes nothing.
//
// Memory is strict: each table (and the padding between them) lies in the SparsePhys as it was laid out, the
// RSDP in a range of exactly its size, and every granted read is an exact-size heap copy, so ASan reports any
// read past what the parser asked for.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "kernel/boot/acpi.hpp"
#include "kernel/boot/testing/acpi_builder.hpp"
#include "kernel/boot/testing/acpi_check.hpp"
#include "kernel/boot/testing/sparse_phys.hpp"
#include "proptest/replay_on_crash.hpp"

namespace {

using namespace kernel::boot;
using namespace kernel::boot::testing;
using namespace kernel::boot::testing::acpi;
namespace ka = kernel::boot::acpi;

// ------------------------------------------------------------------------------------------------ model

struct GenCpu {
    std::uint32_t apic_id, uid, flags;
    bool x2apic;
    bool kept() const { return flags & (madt::enabled | madt::online_capable); }
};
struct GenOverride {
    std::uint8_t source;
    std::uint32_t gsi;
    std::uint16_t flags;
};
struct GenNmi {
    bool x2apic;
    std::uint32_t uid;
    std::uint16_t flags;
    std::uint8_t lint;
};
struct GenTimer {
    bool x_field; ///< in X_PM_TMR_BLK (else PM_TMR_BLK, in a FADT too short for the X field or with X = 0)
    bool short_fadt;
    std::uint16_t port;
    bool bits32;
};

struct Generated {
    std::uint32_t lapic_address;
    std::optional<std::uint64_t> lapic_override;
    bool pcat;
    std::vector<GenCpu> cpus;
    std::vector<ka::IoApic> ioapics;
    std::vector<GenOverride> overrides;
    std::vector<GenNmi> nmis;
    std::vector<Bytes> unknown_entries;
    std::optional<GenTimer> timer;
    std::optional<ka::Hpet> hpet;
    std::optional<std::vector<McfgEntry>> mcfg;
    bool rsdt, xsdt;
    std::size_t unknown_tables;
};

ka::Polarity polarity_of(std::uint16_t f) {
    const unsigned p = f & 3;
    return p == 0 ? ka::Polarity::bus_default : p == 1 ? ka::Polarity::active_high : ka::Polarity::active_low;
}
ka::Trigger trigger_of(std::uint16_t f) {
    const unsigned t = (f >> 2) & 3;
    return t == 0 ? ka::Trigger::bus_default : t == 1 ? ka::Trigger::edge : ka::Trigger::level;
}

std::uint16_t draw_inti() {
    // Polarity and trigger each 0, 1 or 3 (2 is reserved); the other bits must not matter.
    const std::uint16_t pol = *rc::gen::element<std::uint16_t>(0, 1, 3);
    const std::uint16_t trig = *rc::gen::element<std::uint16_t>(0, 1, 3);
    return static_cast<std::uint16_t>(pol | trig << 2);
}

Generated draw_generated() {
    Generated g;
    g.lapic_address = *rc::gen::element<std::uint32_t>(0xfee00000u, 0xfec80000u, 0);
    if (*rc::gen::weightedElement<bool>({{1, true}, {4, false}}))
        g.lapic_override = *rc::gen::element<std::uint64_t>(0xfee00000u, 0x1fee00000u, 0xfedc0000000u);
    g.pcat = *rc::gen::arbitrary<bool>();

    const auto n_cpus = *rc::gen::inRange<std::size_t>(0, 40);
    std::set<std::uint32_t> ids;
    for (std::size_t i = 0; i < n_cpus; ++i) {
        const bool x2 = *rc::gen::weightedElement<bool>({{1, true}, {3, false}});
        std::uint32_t id =
            x2 ? *rc::gen::weightedOneOf<std::uint32_t>(
                     {{2, rc::gen::inRange<std::uint32_t>(0, 600)}, {1, rc::gen::arbitrary<std::uint32_t>()}})
               : *rc::gen::inRange<std::uint32_t>(0, 255);
        if (!ids.insert(id).second) continue; // unique APIC IDs in a well-formed table
        const std::uint32_t uid =
            x2 ? *rc::gen::arbitrary<std::uint32_t>() : *rc::gen::inRange<std::uint32_t>(0, 256);
        const std::uint32_t flags = *rc::gen::weightedElement<std::uint32_t>(
            {{6, madt::enabled}, {2, madt::online_capable}, {2, 0}, {1, madt::enabled | 0xf0}, {1, 0x100}});
        g.cpus.push_back({id, uid, flags, x2});
    }
    const auto n_io = *rc::gen::inRange<std::size_t>(0, ka::AcpiInfo::max_ioapics + 1);
    for (std::size_t i = 0; i < n_io; ++i)
        g.ioapics.push_back({*rc::gen::arbitrary<std::uint8_t>(), *rc::gen::arbitrary<std::uint32_t>(),
                             *rc::gen::inRange<std::uint32_t>(0, 1000)});
    std::vector<std::uint8_t> sources;
    for (std::uint8_t s = 0; s < 16; ++s)
        if (*rc::gen::weightedElement<bool>({{1, true}, {3, false}})) sources.push_back(s);
    for (std::uint8_t s : sources)
        g.overrides.push_back({s, *rc::gen::inRange<std::uint32_t>(0, 64), draw_inti()});
    const auto n_nmi = *rc::gen::inRange<std::size_t>(0, ka::AcpiInfo::max_nmis + 1);
    for (std::size_t i = 0; i < n_nmi; ++i) {
        const bool x2 = *rc::gen::arbitrary<bool>();
        std::uint32_t uid = x2 ? *rc::gen::element<std::uint32_t>(0, 1, 7, 0xffffffffu)
                               : *rc::gen::element<std::uint32_t>(0, 1, 7, 0xff);
        g.nmis.push_back({x2, uid, draw_inti(), *rc::gen::element<std::uint8_t>(0, 1)});
    }
    const auto n_unknown = *rc::gen::inRange<std::size_t>(0, 4);
    for (std::size_t i = 0; i < n_unknown; ++i) {
        const std::uint8_t type =
            *rc::gen::element<std::uint8_t>(3, 6, 7, 8, 0xb, 0xd, 0x11, 0x7f, 0x80, 0xff);
        const std::uint8_t len = *rc::gen::inRange<std::uint8_t>(2, 40);
        g.unknown_entries.push_back(madt::raw(type, len));
    }
    if (*rc::gen::weightedElement<bool>({{4, true}, {1, false}})) {
        GenTimer t{};
        t.x_field = *rc::gen::arbitrary<bool>();
        t.short_fadt = !t.x_field && *rc::gen::arbitrary<bool>();
        t.port = *rc::gen::inRange<std::uint16_t>(1, 0xffff);
        t.bits32 = *rc::gen::arbitrary<bool>();
        g.timer = t;
    }
    if (*rc::gen::arbitrary<bool>())
        g.hpet = ka::Hpet{true, *rc::gen::inRange<std::uint64_t>(1, 1ull << 52),
                          *rc::gen::arbitrary<std::uint16_t>()};
    if (*rc::gen::arbitrary<bool>()) {
        std::vector<McfgEntry> m;
        const auto n = *rc::gen::inRange<std::size_t>(0, ka::AcpiInfo::max_mcfg + 1);
        for (std::size_t i = 0; i < n; ++i) {
            const auto start = *rc::gen::inRange<std::uint8_t>(0, 255);
            const auto end = *rc::gen::inRange<std::uint8_t>(start, 255);
            m.push_back(
                {*rc::gen::arbitrary<std::uint64_t>(), *rc::gen::arbitrary<std::uint16_t>(), start, end});
        }
        g.mcfg = m;
    }
    const int roots = *rc::gen::element(0, 1, 2); // 0 RSDT, 1 XSDT, 2 both
    g.rsdt = roots != 1;
    g.xsdt = roots != 0;
    g.unknown_tables = *rc::gen::inRange<std::size_t>(0, 3);
    return g;
}

/// Table kinds, to tell which one a changed byte hit.
enum class Kind { madt, fadt, hpet, mcfg, unknown };

struct Built {
    AcpiImage image;
    std::vector<Kind> kinds; ///< of image.tables
};

Built build(const Generated& g) {
    Built b;
    // MADT: CPUs, I/O APICs, overrides, NMIs and unknown entries, shuffled together.
    std::vector<Bytes> entries;
    for (const GenCpu& c : g.cpus)
        entries.push_back(c.x2apic ? madt::x2apic(c.apic_id, c.flags, c.uid)
                                   : madt::lapic(static_cast<std::uint8_t>(c.uid),
                                                 static_cast<std::uint8_t>(c.apic_id), c.flags));
    std::vector<Bytes> others;
    for (const ka::IoApic& a : g.ioapics) others.push_back(madt::ioapic(a.id, a.address, a.gsi_base));
    for (const GenOverride& o : g.overrides)
        others.push_back(madt::source_override(0, o.source, o.gsi, o.flags));
    for (const GenNmi& n : g.nmis)
        others.push_back(n.x2apic ? madt::x2apic_nmi(n.flags, n.uid, n.lint)
                                  : madt::lapic_nmi(static_cast<std::uint8_t>(n.uid), n.flags, n.lint));
    for (const Bytes& e : g.unknown_entries) others.push_back(e);
    if (g.lapic_override) others.push_back(madt::lapic_address(*g.lapic_override));
    // Merged at random places; each kind keeps its own order (the parser keeps table order).
    std::size_t min_pos = 0;
    for (const Bytes& e : others) {
        const auto at = *rc::gen::inRange<std::size_t>(min_pos, entries.size() + 1);
        entries.insert(entries.begin() + static_cast<std::ptrdiff_t>(at), e);
        min_pos = at + 1;
    }
    std::vector<std::pair<Kind, Bytes>> tables;
    tables.push_back({Kind::madt, table("APIC", madt::body(g.lapic_address, g.pcat ? 1 : 0, entries), 5)});
    if (g.timer) {
        Fadt f;
        f.flags = g.timer->bits32 ? 1u << 8 : 0;
        if (g.timer->x_field) {
            f.x_pm_tmr_blk.address = g.timer->port;
            f.pm_tmr_blk = *rc::gen::element<std::uint32_t>(0, 0x608);
            f.pm_tmr_len = f.pm_tmr_blk ? 4 : 0;
        } else {
            f.length = g.timer->short_fadt ? *rc::gen::element<std::size_t>(116, 132, 208, 219) : 276;
            f.x_pm_tmr_blk = Gas{};
            f.pm_tmr_blk = g.timer->port;
        }
        tables.push_back({Kind::fadt, table("FACP", f.body(), 6)});
    }
    if (g.hpet)
        tables.push_back(
            {Kind::hpet, table("HPET", hpet_body(Gas{0, 64, 0, 0, g.hpet->address}, g.hpet->min_tick))});
    if (g.mcfg) tables.push_back({Kind::mcfg, table("MCFG", mcfg_body(*g.mcfg))});
    for (std::size_t i = 0; i < g.unknown_tables; ++i)
        tables.push_back(
            {Kind::unknown,
             table(i % 2 ? "SSDT" : "WAET", Bytes(*rc::gen::inRange<std::size_t>(0, 64), std::byte{0x42}))});
    for (std::size_t i = tables.size(); i > 1; --i)
        std::swap(tables[i - 1], tables[*rc::gen::inRange<std::size_t>(0, i)]);
    for (auto& [k, t] : tables) {
        b.kinds.push_back(k);
        b.image.tables.push_back(t);
    }
    b.image.rsdp.revision = g.xsdt ? 2 : 0;
    b.image.with_rsdt = g.rsdt;
    b.image.with_xsdt = g.xsdt;
    b.image.rsdp_pa = *rc::gen::element<std::uint64_t>(0xf5a40, 0x777d014, 0x9fc00);
    b.image.tables_pa = *rc::gen::element<std::uint64_t>(0x7fe0000, 0x7fe1b60, 0x100000);
    return b;
}

/// What the parser must hand out for `g`, with the parts listed left out.
struct Leave {
    bool madt = false, fadt = false, hpet = false, mcfg = false, everything = false;
};

void expect_parsed(const Generated& g, const ka::AcpiInfo& info, Leave leave = {}) {
    if (leave.everything) {
        RC_ASSERT(!info.found);
        leave = Leave{true, true, true, true, true};
    } else {
        RC_ASSERT(info.found);
    }
    if (leave.madt) {
        RC_ASSERT(!info.madt);
    } else {
        RC_ASSERT(info.madt);
        RC_ASSERT(info.lapic_address == g.lapic_override.value_or(g.lapic_address));
        RC_ASSERT(info.pcat_compat == g.pcat);
        std::vector<GenCpu> kept;
        for (const GenCpu& c : g.cpus)
            if (c.kept()) kept.push_back(c);
        RC_ASSERT(info.cpu_count == kept.size());
        RC_ASSERT(info.cpus_dropped == 0u);
        for (std::size_t i = 0; i < kept.size(); ++i) {
            const ka::Cpu& c = info.cpus[i];
            RC_ASSERT(c.apic_id == kept[i].apic_id);
            RC_ASSERT(c.uid == kept[i].uid);
            RC_ASSERT(c.enabled == bool(kept[i].flags & madt::enabled));
            RC_ASSERT(c.online_capable == bool(kept[i].flags & madt::online_capable));
            RC_ASSERT(c.x2apic_entry == kept[i].x2apic);
        }
        // I/O APICs, overrides and NMIs may have been shuffled among other entries but keep their own order.
        RC_ASSERT(info.ioapic_count == g.ioapics.size());
        for (std::size_t i = 0; i < g.ioapics.size(); ++i) {
            RC_ASSERT(info.ioapics[i].id == g.ioapics[i].id);
            RC_ASSERT(info.ioapics[i].address == g.ioapics[i].address);
            RC_ASSERT(info.ioapics[i].gsi_base == g.ioapics[i].gsi_base);
        }
        RC_ASSERT(info.override_count == g.overrides.size());
        for (std::size_t i = 0; i < g.overrides.size(); ++i) {
            RC_ASSERT(info.overrides[i].source == g.overrides[i].source);
            RC_ASSERT(info.overrides[i].gsi == g.overrides[i].gsi);
            RC_ASSERT(info.overrides[i].polarity == polarity_of(g.overrides[i].flags));
            RC_ASSERT(info.overrides[i].trigger == trigger_of(g.overrides[i].flags));
        }
        RC_ASSERT(info.nmi_count == g.nmis.size());
        for (std::size_t i = 0; i < g.nmis.size(); ++i) {
            const GenNmi& n = g.nmis[i];
            RC_ASSERT(info.nmis[i].uid == n.uid);
            RC_ASSERT(info.nmis[i].all_cpus == (n.x2apic ? n.uid == 0xffffffffu : n.uid == 0xffu));
            RC_ASSERT(info.nmis[i].lint == n.lint);
            RC_ASSERT(info.nmis[i].polarity == polarity_of(n.flags));
            RC_ASSERT(info.nmis[i].trigger == trigger_of(n.flags));
        }
    }
    if (leave.fadt || !g.timer) {
        RC_ASSERT(!info.pm_timer.present);
    } else {
        RC_ASSERT(info.pm_timer.present);
        RC_ASSERT(info.pm_timer.port == g.timer->port);
        RC_ASSERT(info.pm_timer.bits32 == g.timer->bits32);
    }
    if (leave.hpet || !g.hpet) {
        RC_ASSERT(!info.hpet.present);
    } else {
        RC_ASSERT(info.hpet.present);
        RC_ASSERT(info.hpet.address == g.hpet->address);
        RC_ASSERT(info.hpet.min_tick == g.hpet->min_tick);
    }
    if (leave.mcfg || !g.mcfg) {
        RC_ASSERT(info.mcfg_count == 0u);
    } else {
        RC_ASSERT(info.mcfg_count == g.mcfg->size());
        for (std::size_t i = 0; i < g.mcfg->size(); ++i) {
            RC_ASSERT(info.mcfg[i].base == (*g.mcfg)[i].base);
            RC_ASSERT(info.mcfg[i].segment == (*g.mcfg)[i].segment);
            RC_ASSERT(info.mcfg[i].start_bus == (*g.mcfg)[i].start_bus);
            RC_ASSERT(info.mcfg[i].end_bus == (*g.mcfg)[i].end_bus);
        }
    }
}

std::string problems_of(const ka::AcpiInfo& info) {
    std::string s;
    for (std::size_t i = 0; i < info.problem_count; ++i) {
        char line[200];
        kernel::BufferSink sink(line, sizeof line);
        ka::put(sink, info.problems[i]);
        s += std::string(sink.view().data(), sink.view().size()) + "\n";
    }
    return s;
}

/// Lay out `image` in a fresh strict memory: the tables block (tables and the padding between them) as one
/// range, the RSDP in a range of its own size.
void install(const std::vector<Placed>& placed, const AcpiImage& image, SparsePhys& mem) {
    mem.set_strict(true);
    const std::uint64_t end = AcpiImage::block_end(placed);
    if (end > image.tables_pa) mem.add(image.tables_pa, end - image.tables_pa);
    mem.add(placed.back().pa, placed.back().bytes.size());
    for (const Placed& p : placed) mem.write(p.pa, p.bytes);
}

RC_GTEST_PROP(AcpiProp, WellFormedTablesParseBackToWhatWasGenerated, ()) {
    const Generated g = draw_generated();
    const Built b = build(g);
    const auto placed = b.image.layout();
    SparsePhys mem;
    install(placed, b.image, mem);
    ka::AcpiInfo info;
    ka::parse(mem, b.image.rsdp_pa, info);
    RC_ASSERT(acpi_violation(info) == "");
    RC_ASSERT(info.problem_count == 0u);
    RC_ASSERT(!mem.refused_any());
    RC_ASSERT(info.rsdp_pa == b.image.rsdp_pa);
    RC_ASSERT(info.revision == (g.xsdt ? 2 : 0));
    expect_parsed(g, info);
    RC_TAG(g.xsdt ? (g.rsdt ? "RSDT+XSDT" : "XSDT") : "RSDT");
}

RC_GTEST_PROP(AcpiProp, OneChangedByteCostsExactlyTheTableItIsIn, ()) {
    const Generated g = draw_generated();
    const Built b = build(g);
    const auto placed = b.image.layout();
    SparsePhys mem;
    install(placed, b.image, mem);

    // A byte of one of the tables, root tables or the RSDP, each as likely; now and then anywhere in the
    // tables block (padding included).
    const std::uint64_t block_end = AcpiImage::block_end(placed);
    std::uint64_t pa = 0;
    if (*rc::gen::weightedElement<bool>({{1, true}, {7, false}})) {
        pa = *rc::gen::inRange<std::uint64_t>(b.image.tables_pa, block_end);
    } else {
        const Placed& p = placed[*rc::gen::inRange<std::size_t>(0, placed.size())];
        pa = p.pa + *rc::gen::inRange<std::size_t>(0, p.bytes.size());
    }
    const auto x = *rc::gen::inRange<int>(1, 256);
    *mem.at(pa) ^= static_cast<std::byte>(x);

    ka::AcpiInfo info;
    ka::parse(mem, b.image.rsdp_pa, info);
    RC_ASSERT(acpi_violation(info) == "");

    // Which blob was hit: placed = tables..., [RSDT], [XSDT], RSDP.
    std::optional<std::size_t> hit;
    for (std::size_t i = 0; i < placed.size(); ++i)
        if (pa >= placed[i].pa && pa < placed[i].pa + placed[i].bytes.size()) hit = i;
    if (!hit) {
        RC_TAG("padding");
        expect_parsed(g, info);
        RC_ASSERT(info.problem_count == 0u);
        return;
    }
    const std::size_t offset = static_cast<std::size_t>(pa - placed[*hit].pa);
    const bool is_rsdp = *hit + 1 == placed.size();
    if (!is_rsdp && offset >= 4 && offset < 8) {
        // The length: the table may now pass with other bytes in it (a chance of 1 in 256). Only the
        // invariants above hold.
        RC_TAG("length field");
        return;
    }
    Leave leave;
    const std::size_t n = b.image.tables.size();
    if (is_rsdp) {
        RC_TAG("RSDP");
        leave.everything = true;
    } else if (*hit < n) {
        switch (b.kinds[*hit]) {
        case Kind::madt:
            leave.madt = true;
            break;
        case Kind::fadt:
            leave.fadt = true;
            break;
        case Kind::hpet:
            leave.hpet = true;
            break;
        case Kind::mcfg:
            leave.mcfg = true;
            break;
        case Kind::unknown:
            break;
        }
        RC_TAG("table");
    } else {
        // A root table. The XSDT is used when there is one; the RSDT is the fallback, or the only root.
        const bool hit_xsdt = g.xsdt && *hit == placed.size() - 2;
        RC_TAG(hit_xsdt ? "XSDT" : "RSDT");
        if (hit_xsdt ? !g.rsdt : !g.xsdt) leave.everything = true;
    }
    RC_ASSERT(problems_of(info).size() < 100000u);
    expect_parsed(g, info, leave);
}

} // namespace
