// MADT ("APIC", ACPI 6.5, 5.2.12): the local APIC address and flags, then variable-length entries
// {u8 type, u8 length, ...}. Entries used (offsets within the entry):
//   0 local APIC:        2 UID u8 | 3 APIC ID u8 | 4 flags u32 (bit 0 enabled, bit 1 online capable)   8
//   bytes 1 I/O APIC:          2 ID u8 | 3 reserved | 4 address u32 | 8 GSI base u32 12 bytes 2 source
//   override:   2 bus u8 (0 = ISA) | 3 source u8 | 4 GSI u32 | 8 MPS INTI flags u16           10 bytes 4
//   local APIC NMI:    2 UID u8 (0xff = all) | 3 flags u16 | 5 LINT# u8                                6
//   bytes 5 LAPIC address:     2 reserved u16 | 4 address u64 12 bytes 9 local x2APIC:      2 reserved u16 |
//   4 x2APIC ID u32 | 8 flags u32 | 12 UID u32                    16 bytes 0xA local x2APIC NMI: 2 flags u16
//   | 4 UID u32 (0xffffffff = all) | 8 LINT# u8 | 9 reserved[3]      12 bytes
// Other types are skipped by their length. Entries may be longer than these sizes (later revisions append).
//
// A broken entry structure (length < 2, below its type's size, or past the table's end) rejects the whole
// MADT: it must never yield half a list of CPUs. A bad value inside a well-formed entry (an override of a bus
// other than ISA, a reserved polarity, LINT# above 1, a duplicate APIC ID) drops that entry with a Problem.
// Local APIC entries neither enabled nor online capable are dropped silently: that is how firmware lists
// absent processors.
#include "kernel/boot/acpi_table.hpp"

namespace kernel::boot::acpi::detail {

namespace {

constexpr std::size_t entries_offset = 44;
constexpr std::uint32_t flag_enabled = 1u << 0, flag_online_capable = 1u << 1, flag_pcat_compat = 1u << 0;
constexpr std::uint8_t isa_irqs = 16;

enum Type : std::uint8_t {
    local_apic = 0,
    io_apic = 1,
    source_override = 2,
    local_apic_nmi = 4,
    lapic_address_override = 5,
    local_x2apic = 9,
    local_x2apic_nmi = 0xa,
};

std::size_t min_length(std::uint8_t type) {
    switch (type) {
    case local_apic:
        return 8;
    case io_apic:
        return 12;
    case source_override:
        return 10;
    case local_apic_nmi:
        return 6;
    case lapic_address_override:
        return 12;
    case local_x2apic:
        return 16;
    case local_x2apic_nmi:
        return 12;
    default:
        return 2;
    }
}

void clear(AcpiInfo& out) {
    out.madt = false;
    out.lapic_address = 0;
    out.pcat_compat = false;
    for (Cpu& c : out.cpus) c = Cpu{};
    out.cpu_count = out.cpus_dropped = 0;
    for (IoApic& i : out.ioapics) i = IoApic{};
    out.ioapic_count = 0;
    for (Override& o : out.overrides) o = Override{};
    out.override_count = 0;
    for (LocalNmi& n : out.nmis) n = LocalNmi{};
    out.nmi_count = 0;
}

/// MPS INTI flags (ACPI 6.5 table 5.50): polarity bits 1:0, trigger mode bits 3:2; the value 2 is reserved
/// in both.
bool decode_inti(std::uint16_t flags, Polarity& polarity, Trigger& trigger) {
    const unsigned pol = flags & 3u, trig = (flags >> 2) & 3u;
    if (pol == 2 || trig == 2) return false;
    polarity = pol == 0 ? Polarity::bus_default : pol == 1 ? Polarity::active_high : Polarity::active_low;
    trigger = trig == 0 ? Trigger::bus_default : trig == 1 ? Trigger::edge : Trigger::level;
    return true;
}

struct Madt {
    Parse& p;
    AcpiInfo& out;
    bool have_lapic_override = false;

    void cpu(const ByteView& e, std::uint32_t apic_id, std::uint32_t uid, std::uint32_t flags, bool x2apic) {
        const bool enabled = flags & flag_enabled, online_capable = flags & flag_online_capable;
        if (!enabled && !online_capable) return;
        for (std::size_t i = 0; i < out.cpu_count; ++i) {
            if (out.cpus[i].apic_id == apic_id) {
                p.problem("APIC", e.pa(), "duplicate APIC ID", apic_id);
                return;
            }
        }
        if (out.cpu_count == AcpiInfo::max_cpus) {
            ++out.cpus_dropped;
            return;
        }
        out.cpus[out.cpu_count++] = Cpu{apic_id, uid, enabled, online_capable, x2apic};
    }

    void ioapic(const ByteView& e) {
        IoApic a{};
        e.read(2, a.id);
        e.read(4, a.address);
        e.read(8, a.gsi_base);
        if (out.ioapic_count == AcpiInfo::max_ioapics) {
            p.problem("APIC", e.pa(), "more I/O APICs than the kernel holds", a.address);
            return;
        }
        out.ioapics[out.ioapic_count++] = a;
    }

    void source_override(const ByteView& e) {
        std::uint8_t bus = 0;
        std::uint16_t flags = 0;
        Override o{};
        e.read(2, bus);
        e.read(3, o.source);
        e.read(4, o.gsi);
        e.read(8, flags);
        if (bus != 0)
            return p.problem("APIC", e.pa(), "interrupt source override of a bus other than ISA", bus);
        if (o.source >= isa_irqs)
            return p.problem("APIC", e.pa(), "override of an ISA IRQ above 15", o.source);
        if (!decode_inti(flags, o.polarity, o.trigger))
            return p.problem("APIC", e.pa(), "reserved polarity or trigger mode", flags);
        if (out.override_for(o.source))
            return p.problem("APIC", e.pa(), "second override of one ISA IRQ", o.source);
        if (out.override_count == AcpiInfo::max_overrides)
            return p.problem("APIC", e.pa(), "more overrides than the kernel holds", o.source);
        out.overrides[out.override_count++] = o;
    }

    void nmi(const ByteView& e, std::uint32_t uid, bool all, std::uint16_t flags, std::uint8_t lint) {
        LocalNmi n{uid, all, lint, Polarity::bus_default, Trigger::bus_default};
        if (lint > 1) return p.problem("APIC", e.pa(), "local APIC NMI on a LINT other than 0 and 1", lint);
        if (!decode_inti(flags, n.polarity, n.trigger))
            return p.problem("APIC", e.pa(), "reserved polarity or trigger mode", flags);
        if (out.nmi_count == AcpiInfo::max_nmis)
            return p.problem("APIC", e.pa(), "more local APIC NMIs than the kernel holds", uid);
        out.nmis[out.nmi_count++] = n;
    }

    void entry(std::uint8_t type, const ByteView& e) {
        switch (type) {
        case local_apic: {
            std::uint8_t uid = 0, id = 0;
            std::uint32_t flags = 0;
            e.read(2, uid);
            e.read(3, id);
            e.read(4, flags);
            return cpu(e, id, uid, flags, false);
        }
        case local_x2apic: {
            std::uint32_t id = 0, flags = 0, uid = 0;
            e.read(4, id);
            e.read(8, flags);
            e.read(12, uid);
            return cpu(e, id, uid, flags, true);
        }
        case io_apic:
            return ioapic(e);
        case Type::source_override:
            return source_override(e);
        case local_apic_nmi: {
            std::uint8_t uid = 0, lint = 0;
            std::uint16_t flags = 0;
            e.read(2, uid);
            e.read(3, flags);
            e.read(5, lint);
            return nmi(e, uid, uid == 0xff, flags, lint);
        }
        case local_x2apic_nmi: {
            std::uint16_t flags = 0;
            std::uint32_t uid = 0;
            std::uint8_t lint = 0;
            e.read(2, flags);
            e.read(4, uid);
            e.read(8, lint);
            return nmi(e, uid, uid == 0xffffffff, flags, lint);
        }
        case lapic_address_override: {
            // At most one by the specification; the first wins.
            if (have_lapic_override) return;
            have_lapic_override = true;
            e.read(4, out.lapic_address);
            return;
        }
        default:
            return;
        }
    }
};

} // namespace

bool parse_madt(Parse& p, const ByteView& t) {
    AcpiInfo& out = p.out;
    clear(out);
    std::uint32_t lapic = 0, flags = 0;
    if (!t.read(36, lapic) || !t.read(40, flags)) {
        p.problem("APIC", t.pa(), "table too short for its fixed fields", t.size());
        return false;
    }
    Madt m{p, out};
    for (std::size_t off = entries_offset; off < t.size();) {
        std::uint8_t type = 0, length = 0;
        if (!t.read(off, type) || !t.read(off + 1, length)) {
            p.problem("APIC", t.pa_at(off), "entry header past the end of the table", t.size() - off);
            clear(out);
            return false;
        }
        ByteView e(nullptr, 0, 0);
        if (length < min_length(type) || !t.sub(off, length, e)) {
            p.problem("APIC", t.pa_at(off),
                      length < min_length(type) ? "entry shorter than its type" : "entry runs past the table",
                      length);
            clear(out);
            return false;
        }
        m.entry(type, e);
        off += length;
    }
    if (!m.have_lapic_override) out.lapic_address = lapic;
    out.pcat_compat = flags & flag_pcat_compat;
    out.madt = true;
    return true;
}

} // namespace kernel::boot::acpi::detail
