// MCFG (PCI Firmware specification 3.2, 4.1.2): the header, 8 reserved bytes, then 16-byte entries:
//   0 base address u64 | 8 PCI segment group u16 | 10 start bus u8 | 11 end bus u8 | 12 reserved u32.
// An entry with start bus > end bus is dropped with a Problem; so are entries beyond AcpiInfo::max_mcfg. A
// length that is not a whole number of entries is a Problem: the whole entries are used, the trailing bytes
// ignored (as for the root tables).
#include "kernel/boot/acpi_table.hpp"

namespace kernel::boot::acpi::detail {

namespace {

constexpr std::size_t entries_offset = 44, entry_size = 16;

} // namespace

bool parse_mcfg(Parse& p, const ByteView& t) {
    AcpiInfo& out = p.out;
    out.mcfg_count = 0;
    if (t.size() < entries_offset) {
        p.problem("MCFG", t.pa(), "table too short", t.size());
        return false;
    }
    if ((t.size() - entries_offset) % entry_size != 0)
        p.problem("MCFG", t.pa(), "length not a whole number of entries", t.size());
    for (std::size_t off = entries_offset; off + entry_size <= t.size(); off += entry_size) {
        McfgSegment s{};
        t.read(off, s.base);
        t.read(off + 8, s.segment);
        t.read(off + 10, s.start_bus);
        t.read(off + 11, s.end_bus);
        if (s.start_bus > s.end_bus) {
            p.problem("MCFG", t.pa_at(off), "start bus above end bus", s.start_bus);
            continue;
        }
        if (out.mcfg_count == AcpiInfo::max_mcfg) {
            p.problem("MCFG", t.pa_at(off), "more segments than the kernel holds", s.segment);
            continue;
        }
        out.mcfg[out.mcfg_count++] = s;
    }
    return true;
}

} // namespace kernel::boot::acpi::detail
