// Builds ACPI tables byte by byte from the specification, for the ACPI parser's tests, properties and fuzz
// seeds (host only). Nothing here is shared with the parser under test.
//
//   RSDP (ACPI 6.5 5.2.5.3): "RSD PTR " | checksum (bytes 0-19) | OEMID[6] | revision | RSDT u32 |
//        revision >= 2: length u32 | XSDT u64 | extended checksum (all bytes) | reserved[3]      (20 / 36
//        bytes)
//   header (5.2.6): signature[4] | length u32 | revision | checksum | OEMID[6] | OEM table ID[8] |
//        OEM revision u32 | creator ID[4] | creator revision u32                                    (36
//        bytes)
//   MADT (5.2.12): local APIC address u32 | flags u32 | entries {type, length, ...}
//   FADT (5.2.9): PM_TMR_BLK u32 at 76, PM_TMR_LEN at 91, flags u32 at 112, X_PM_TMR_BLK (GAS) at 208
//   HPET (IA-PC HPET 1.0a, 3.2.4): block ID u32 | base address GAS | HPET number | min tick u16 | protection
//   MCFG (PCI Firmware 3.2, 4.1.2): reserved[8] | entries {base u64, segment u16, start bus, end bus, u32}
//
// Checksums are right by default; the knobs write other values (a length, a checksum off by some amount).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/boot/testing/multiboot2_builder.hpp"
#include "kernel/boot/testing/sparse_phys.hpp"

namespace kernel::boot::testing::acpi {

inline std::uint8_t sum_of(const Bytes& b, std::size_t from = 0, std::size_t to = SIZE_MAX) {
    std::uint8_t s = 0;
    for (std::size_t i = from; i < b.size() && i < to; ++i)
        s = static_cast<std::uint8_t>(s + std::uint8_t(b[i]));
    return s;
}

/// Set byte `at` so that bytes [from, to) sum to 0 modulo 256, then add `delta` (a wrong checksum if != 0).
inline void fix_checksum(Bytes& b, std::size_t at, std::size_t from, std::size_t to, int delta = 0) {
    b.at(at) = std::byte{0};
    b.at(at) = static_cast<std::byte>(static_cast<std::uint8_t>(-sum_of(b, from, to) + delta));
}

inline void append_fixed(Bytes& b, std::string_view s, std::size_t n, char pad = ' ') {
    for (std::size_t i = 0; i < n; ++i) b.push_back(static_cast<std::byte>(i < s.size() ? s[i] : pad));
}

/// A generic address structure (5.2.3.2).
struct Gas {
    std::uint8_t space = 0; ///< 0 system memory, 1 system I/O
    std::uint8_t bit_width = 0;
    std::uint8_t bit_offset = 0;
    std::uint8_t access_size = 0;
    std::uint64_t address = 0;
};
inline void append_gas(Bytes& b, const Gas& g) {
    append_u8(b, g.space);
    append_u8(b, g.bit_width);
    append_u8(b, g.bit_offset);
    append_u8(b, g.access_size);
    append_u64(b, g.address);
}

struct TableKnobs {
    std::optional<std::uint32_t> length; ///< written instead of the true length
    int checksum_delta = 0;              ///< added to the right checksum
};

/// A whole table: the header, then `body`.
inline Bytes table(std::string_view signature, const Bytes& body, std::uint8_t revision = 1,
                   const TableKnobs& k = {}) {
    Bytes b;
    append_fixed(b, signature, 4);
    append_u32(b, k.length.value_or(static_cast<std::uint32_t>(36 + body.size())));
    append_u8(b, revision);
    append_u8(b, 0); // checksum, below
    append_fixed(b, "JANUS", 6);
    append_fixed(b, "TESTTBL", 8);
    append_u32(b, 1);
    append_fixed(b, "JNUS", 4);
    append_u32(b, 1);
    b.insert(b.end(), body.begin(), body.end());
    fix_checksum(b, 9, 0, b.size(), k.checksum_delta);
    return b;
}

struct Rsdp {
    std::uint8_t revision = 2;
    std::uint32_t rsdt = 0;
    std::uint64_t xsdt = 0;
    std::string oem_id = "JANUS ";
    std::optional<std::uint32_t> length; ///< written instead of 36 (revision >= 2)
    int checksum_delta = 0;
    int extended_checksum_delta = 0;

    Bytes build() const {
        Bytes b;
        append_fixed(b, "RSD PTR ", 8);
        append_u8(b, 0);
        append_fixed(b, oem_id, 6);
        append_u8(b, revision);
        append_u32(b, rsdt);
        if (revision >= 2) {
            append_u32(b, length.value_or(36));
            append_u64(b, xsdt);
            append_u8(b, 0);
            append_le(b, 0, 3);
        }
        fix_checksum(b, 8, 0, 20, checksum_delta);
        if (revision >= 2) fix_checksum(b, 32, 0, b.size(), extended_checksum_delta);
        return b;
    }
};

/// MADT entries, by type.
namespace madt {
inline constexpr std::uint32_t enabled = 1, online_capable = 2;
inline constexpr std::uint16_t active_high = 1, active_low = 3, edge = 1 << 2, level = 3 << 2;

inline Bytes lapic(std::uint8_t uid, std::uint8_t apic_id, std::uint32_t flags) {
    Bytes b;
    append_u8(b, 0);
    append_u8(b, 8);
    append_u8(b, uid);
    append_u8(b, apic_id);
    append_u32(b, flags);
    return b;
}
inline Bytes ioapic(std::uint8_t id, std::uint32_t address, std::uint32_t gsi_base) {
    Bytes b;
    append_u8(b, 1);
    append_u8(b, 12);
    append_u8(b, id);
    append_u8(b, 0);
    append_u32(b, address);
    append_u32(b, gsi_base);
    return b;
}
inline Bytes source_override(std::uint8_t bus, std::uint8_t source, std::uint32_t gsi, std::uint16_t flags) {
    Bytes b;
    append_u8(b, 2);
    append_u8(b, 10);
    append_u8(b, bus);
    append_u8(b, source);
    append_u32(b, gsi);
    append_u16(b, flags);
    return b;
}
inline Bytes lapic_nmi(std::uint8_t uid, std::uint16_t flags, std::uint8_t lint) {
    Bytes b;
    append_u8(b, 4);
    append_u8(b, 6);
    append_u8(b, uid);
    append_u16(b, flags);
    append_u8(b, lint);
    return b;
}
inline Bytes lapic_address(std::uint64_t address) {
    Bytes b;
    append_u8(b, 5);
    append_u8(b, 12);
    append_u16(b, 0);
    append_u64(b, address);
    return b;
}
inline Bytes x2apic(std::uint32_t x2apic_id, std::uint32_t flags, std::uint32_t uid) {
    Bytes b;
    append_u8(b, 9);
    append_u8(b, 16);
    append_u16(b, 0);
    append_u32(b, x2apic_id);
    append_u32(b, flags);
    append_u32(b, uid);
    return b;
}
inline Bytes x2apic_nmi(std::uint16_t flags, std::uint32_t uid, std::uint8_t lint) {
    Bytes b;
    append_u8(b, 0xa);
    append_u8(b, 12);
    append_u16(b, flags);
    append_u32(b, uid);
    append_u8(b, lint);
    append_le(b, 0, 3);
    return b;
}
/// Any entry: type, the length written, and `length - 2` filler bytes (or `body` when given).
inline Bytes raw(std::uint8_t type, std::uint8_t length, std::optional<Bytes> body = std::nullopt) {
    Bytes b;
    append_u8(b, type);
    append_u8(b, length);
    if (body)
        b.insert(b.end(), body->begin(), body->end());
    else
        for (int i = 2; i < length; ++i) b.push_back(std::byte{0x5a});
    return b;
}

inline Bytes body(std::uint32_t lapic_address, std::uint32_t flags, const std::vector<Bytes>& entries) {
    Bytes b;
    append_u32(b, lapic_address);
    append_u32(b, flags);
    for (const Bytes& e : entries) b.insert(b.end(), e.begin(), e.end());
    return b;
}
} // namespace madt

/// The FADT's body (after the header) with the fields the parser reads; everything else 0.
struct Fadt {
    std::size_t length = 276; ///< ACPI 6.x; 116 for ACPI 1.0, 244 for ACPI 2.0 (before the sleep registers)
    std::uint32_t pm_tmr_blk = 0x608;
    std::uint8_t pm_tmr_len = 4;
    std::uint32_t flags = 0;              ///< bit 8 TMR_VAL_EXT
    Gas x_pm_tmr_blk{1, 32, 0, 3, 0x608}; ///< written if the table holds it

    Bytes body() const {
        Bytes b(length - 36, std::byte{0});
        auto put = [&](std::size_t off, std::uint64_t v, std::size_t n) {
            for (std::size_t i = 0; i < n && off + i < length; ++i)
                b[off + i - 36] = static_cast<std::byte>(v >> (8 * i));
        };
        put(76, pm_tmr_blk, 4);
        put(91, pm_tmr_len, 1);
        put(112, flags, 4);
        if (length >= 220) {
            Bytes g;
            append_gas(g, x_pm_tmr_blk);
            for (std::size_t i = 0; i < g.size(); ++i) b[208 - 36 + i] = g[i];
        }
        return b;
    }
};

inline Bytes hpet_body(const Gas& base, std::uint16_t min_tick, std::uint32_t block_id = 0x8086a201) {
    Bytes b;
    append_u32(b, block_id);
    append_gas(b, base);
    append_u8(b, 0);
    append_u16(b, min_tick);
    append_u8(b, 0);
    return b;
}

struct McfgEntry {
    std::uint64_t base;
    std::uint16_t segment;
    std::uint8_t start_bus;
    std::uint8_t end_bus;
};
inline Bytes mcfg_body(const std::vector<McfgEntry>& entries) {
    Bytes b;
    append_u64(b, 0);
    for (const McfgEntry& e : entries) {
        append_u64(b, e.base);
        append_u16(b, e.segment);
        append_u8(b, e.start_bus);
        append_u8(b, e.end_bus);
        append_u32(b, 0);
    }
    return b;
}

/// A root table's body: the entries as u32 (RSDT) or u64 (XSDT).
inline Bytes root_body(const std::vector<std::uint64_t>& entries, std::size_t entry_size) {
    Bytes b;
    for (std::uint64_t e : entries) append_le(b, e, entry_size);
    return b;
}

/// One blob of bytes at a physical address.
struct Placed {
    std::uint64_t pa;
    Bytes bytes;
};

/// An RSDP, its root tables and the tables they list, laid out in memory: the tables one after the other
/// (16-byte aligned) from tables_pa, then the RSDT, then the XSDT; the RSDP at rsdp_pa.
struct AcpiImage {
    Rsdp rsdp;
    std::vector<Bytes> tables;
    bool with_rsdt = true, with_xsdt = true;
    TableKnobs rsdt_knobs, xsdt_knobs;
    std::optional<std::vector<std::uint64_t>> rsdt_entries,
        xsdt_entries; ///< instead of the tables' addresses

    std::uint64_t rsdp_pa = 0xf5a40;
    std::uint64_t tables_pa = 0x7fe0000;

    std::vector<Placed> layout() const {
        std::vector<Placed> out;
        std::vector<std::uint64_t> addresses;
        std::uint64_t next = tables_pa;
        auto place = [&](Bytes b) {
            std::uint64_t pa = next;
            next = (pa + b.size() + 15) & ~std::uint64_t{15};
            out.push_back({pa, std::move(b)});
            return pa;
        };
        for (const Bytes& t : tables) addresses.push_back(place(t));
        Rsdp r = rsdp;
        if (with_rsdt)
            r.rsdt = static_cast<std::uint32_t>(
                place(table("RSDT", root_body(rsdt_entries.value_or(addresses), 4), 1, rsdt_knobs)));
        if (with_xsdt && r.revision >= 2)
            r.xsdt = place(table("XSDT", root_body(xsdt_entries.value_or(addresses), 8), 1, xsdt_knobs));
        out.push_back({rsdp_pa, r.build()});
        return out;
    }

    /// The end of the tables block (the RSDP lies elsewhere).
    static std::uint64_t block_end(const std::vector<Placed>& placed) {
        std::uint64_t end = 0;
        for (std::size_t i = 0; i + 1 < placed.size(); ++i)
            end = std::max<std::uint64_t>(end, placed[i].pa + placed[i].bytes.size());
        return end;
    }

    /// Write into `mem`: a range for the tables block and one of exactly the RSDP's size, each added unless
    /// an existing range holds it already.
    void write_to(SparsePhys& mem) const {
        auto placed = layout();
        std::uint64_t end = block_end(placed);
        if (end > tables_pa) {
            try {
                mem.range(tables_pa, end - tables_pa);
            } catch (const std::out_of_range&) {
                mem.add(tables_pa, end - tables_pa);
            }
        }
        for (const Placed& p : placed) {
            try {
                mem.range(p.pa, p.bytes.size());
            } catch (const std::out_of_range&) {
                mem.add(p.pa, p.bytes.size());
            }
            mem.write(p.pa, p.bytes);
        }
    }
};

} // namespace kernel::boot::testing::acpi
