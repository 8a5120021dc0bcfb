// ACPI: finding the RSDP, walking the root table (XSDT or RSDT) one level, and handing each table the kernel
// uses to its parser (acpi_madt.cpp, acpi_fadt.cpp, acpi_hpet.cpp, acpi_mcfg.cpp).
//
// RSDP (ACPI 6.5, 5.2.5.3): 0 "RSD PTR " | 8 checksum (first 20 bytes) | 9 OEMID[6] | 15 revision |
// 16 RSDT address u32 | revision >= 2: 20 length u32 | 24 XSDT address u64 | 32 extended checksum (all
// `length` bytes) | 33 reserved[3]. RSDT/XSDT (5.2.7-8): the header, then u32 (RSDT) or u64 (XSDT) addresses.
//
// Decisions beyond the specification:
//  * a root table whose length is not the header plus whole entries is a Problem; its whole entries are used
//    and the trailing bytes ignored (firmware that pads its root table still works);
//  * a null entry in the root table is skipped; an entry whose header cannot be read is a Problem;
//  * of several tables with one signature the first that passes its checks (and its parser) is used; later
//    ones are not looked at. Tables the kernel does not use are not checked beyond their header;
//  * a legacy-scan candidate with the right signature but bad checksums is passed over silently (firmware
//    leaves stale copies), and the scan goes on; a bad RSDP at the loader's address is a Problem.
#include "kernel/boot/acpi.hpp"

#include "kernel/boot/acpi_table.hpp"

namespace kernel::boot::acpi {

namespace {

using detail::byte_sum;
using detail::header_size;
using detail::Parse;

constexpr std::size_t rsdp_v1_size = 20, rsdp_v2_min = 36;
/// The ACPI 2.0+ RSDP is 36 bytes; allow for growth, not for nonsense.
constexpr std::uint32_t rsdp_max_length = 4096;

constexpr std::uint64_t bda_ebda_segment = 0x40e;
constexpr std::size_t ebda_scan_size = 1024;
constexpr std::uint64_t bios_area_lo = 0xe0000, bios_area_hi = 0x100000;
constexpr std::size_t scan_chunk = 4096, rsdp_alignment = 16;

constexpr char rsdp_signature[8] = {'R', 'S', 'D', ' ', 'P', 'T', 'R', ' '};

struct Rsdp {
    std::uint8_t revision = 0;
    std::uint32_t rsdt = 0;
    std::uint64_t xsdt = 0;
    char oem_id[7] = {};
};

bool starts_with_rsdp_signature(const ByteView& v, std::size_t offset) {
    for (std::size_t i = 0; i < sizeof rsdp_signature; ++i) {
        std::uint8_t c = 0;
        if (!v.read(offset + i, c) || c != static_cast<std::uint8_t>(rsdp_signature[i])) return false;
    }
    return true;
}

/// Check the RSDP at `pa`; problems are recorded only when `report` (the loader named this address).
bool check_rsdp(Parse& p, std::uint64_t pa, bool report, Rsdp& out) {
    auto fail = [&](const char* what, std::uint64_t value) {
        if (report) p.problem("RSDP", pa, what, value);
        return false;
    };
    const std::byte* b = p.mem.read(pa, rsdp_v1_size);
    if (!b) return fail("outside readable memory", pa);
    ByteView v1(b, rsdp_v1_size, pa);
    if (!starts_with_rsdp_signature(v1, 0)) return fail("wrong signature", 0);
    if (std::uint8_t sum = byte_sum(v1); sum != 0) return fail("bad checksum", sum);
    Rsdp r;
    v1.read(15, r.revision);
    v1.read(16, r.rsdt);
    for (std::size_t i = 0; i < 6; ++i) {
        std::uint8_t c = 0;
        v1.read(9 + i, c);
        r.oem_id[i] = static_cast<char>(c);
    }
    r.oem_id[6] = '\0';
    if (r.revision >= 2) {
        const std::byte* h = p.mem.read(pa, rsdp_v2_min);
        if (!h) return fail("extended RSDP outside readable memory", rsdp_v2_min);
        std::uint32_t length = 0;
        ByteView(h, rsdp_v2_min, pa).read(20, length);
        if (length < rsdp_v2_min || length > rsdp_max_length)
            return fail("impossible extended length", length);
        const std::byte* whole = p.mem.read(pa, length);
        if (!whole) return fail("extended RSDP runs past readable memory", length);
        ByteView v2(whole, length, pa);
        if (std::uint8_t sum = byte_sum(v2); sum != 0) return fail("bad extended checksum", sum);
        v2.read(24, r.xsdt);
    }
    out = r;
    return true;
}

/// Scan [lo, hi) on 16-byte boundaries for a valid RSDP. Whole chunks are read at once; a chunk that cannot
/// be read is tried 16 bytes at a time, and what is unreadable even then is skipped.
bool scan(Parse& p, std::uint64_t lo, std::uint64_t hi, std::uint64_t& found, Rsdp& rsdp) {
    lo = (lo + rsdp_alignment - 1) & ~std::uint64_t{rsdp_alignment - 1};
    for (std::uint64_t chunk = lo; chunk < hi;) {
        std::uint64_t end = (chunk & ~std::uint64_t{scan_chunk - 1}) + scan_chunk;
        if (end > hi) end = hi;
        const auto n = static_cast<std::size_t>(end - chunk);
        const std::byte* b = p.mem.read(chunk, n);
        for (std::uint64_t at = chunk; at + sizeof rsdp_signature <= end; at += rsdp_alignment) {
            bool candidate = false;
            if (b) {
                candidate = starts_with_rsdp_signature(ByteView(b, n, chunk), at - chunk);
            } else if (const std::byte* s = p.mem.read(at, sizeof rsdp_signature)) {
                candidate = starts_with_rsdp_signature(ByteView(s, sizeof rsdp_signature, at), 0);
            }
            if (candidate && check_rsdp(p, at, false, rsdp)) {
                found = at;
                return true;
            }
        }
        chunk = end;
    }
    return false;
}

bool find_rsdp(Parse& p, std::uint64_t hint, std::uint64_t& pa, Rsdp& rsdp) {
    if (hint != 0) {
        pa = hint;
        return check_rsdp(p, hint, true, rsdp);
    }
    if (const std::byte* w = p.mem.read(bda_ebda_segment, 2)) {
        std::uint16_t segment = 0;
        ByteView(w, 2, bda_ebda_segment).read(0, segment);
        const std::uint64_t ebda = std::uint64_t{segment} << 4;
        if (ebda != 0 && scan(p, ebda, ebda + ebda_scan_size, pa, rsdp)) return true;
    }
    return scan(p, bios_area_lo, bios_area_hi, pa, rsdp);
}

struct Seen {
    bool madt = false, fadt = false, hpet = false, mcfg = false;
};

/// One entry of the root table: open it if it is a table the kernel uses and has no good copy of yet.
void dispatch(Parse& p, std::uint64_t entry_pa, std::uint64_t pa, const char* root, Seen& seen) {
    if (pa == 0) return;
    const std::byte* h = p.mem.read(pa, header_size);
    if (!h) {
        p.problem(root, entry_pa, "entry points outside readable memory", pa);
        return;
    }
    ByteView header(h, header_size, pa);
    struct Kind {
        const char* signature;
        bool* done;
        bool (*parse)(Parse&, const ByteView&);
    };
    const Kind kinds[] = {
        {"APIC", &seen.madt, detail::parse_madt},
        {"FACP", &seen.fadt, detail::parse_fadt},
        {"HPET", &seen.hpet, detail::parse_hpet},
        {"MCFG", &seen.mcfg, detail::parse_mcfg},
    };
    for (const Kind& k : kinds) {
        if (!detail::has_signature(header, k.signature)) continue;
        if (*k.done) return;
        ByteView table(nullptr, 0, pa);
        if (!detail::open_table(p, pa, k.signature, root, table)) return;
        *k.done = k.parse(p, table);
        return;
    }
}

/// Walk the root table at `pa` (entries of `entry_size` bytes); false if the table itself is unusable.
bool walk_root(Parse& p, std::uint64_t pa, const char* signature, std::size_t entry_size) {
    ByteView root(nullptr, 0, pa);
    if (!detail::open_table(p, pa, signature, signature, root)) return false;
    const std::size_t body = root.size() - header_size;
    if (body % entry_size != 0) p.problem(signature, pa, "length not a whole number of entries", root.size());
    Seen seen;
    for (std::size_t off = header_size; off + entry_size <= root.size(); off += entry_size) {
        std::uint64_t entry = 0;
        if (entry_size == 4) {
            std::uint32_t e32 = 0;
            root.read(off, e32);
            entry = e32;
        } else {
            root.read(off, entry);
        }
        dispatch(p, root.pa_at(off), entry, signature, seen);
    }
    return true;
}

} // namespace

const Override* AcpiInfo::override_for(std::uint8_t source) const {
    for (std::size_t i = 0; i < override_count; ++i)
        if (overrides[i].source == source) return &overrides[i];
    return nullptr;
}

void parse(PhysReader& mem, std::uint64_t rsdp_hint, AcpiInfo& out) {
    out = AcpiInfo{};
    Parse p{mem, out};
    std::uint64_t rsdp_pa = 0;
    Rsdp rsdp;
    if (!find_rsdp(p, rsdp_hint, rsdp_pa, rsdp)) return;
    out.rsdp_pa = rsdp_pa;
    out.revision = rsdp.revision;
    for (std::size_t i = 0; i < sizeof out.oem_id; ++i) out.oem_id[i] = rsdp.oem_id[i];

    if (rsdp.revision >= 2 && rsdp.xsdt != 0) {
        if (walk_root(p, rsdp.xsdt, "XSDT", 8)) {
            out.found = true;
            return;
        }
        // walk_root recorded why; fall back to the RSDT below. Nothing of the XSDT's was used.
    }
    if (rsdp.rsdt == 0) {
        p.problem("RSDP", rsdp_pa + 16, "no usable root table", 0);
        return;
    }
    out.found = walk_root(p, rsdp.rsdt, "RSDT", 4);
}

void put(Sink& s, const Problem& p) {
    print_to(s, "acpi: ", p.signature, " at ", hex(p.pa), ": ", p.what, " (value ", hex(p.value), ")");
}

} // namespace kernel::boot::acpi
