// Writes the seed inputs of fuzz/corpus/acpi/ (format: see acpi_fuzz.cpp): the tables QEMU's firmware built
// (kernel/boot/testing/acpi/, captured by capture_acpi.py) moved into the fuzz target's memory window, and
// sets built with the test-only builder from the specification. Each set twice: with the RSDP's address as
// the hint and with hint 0 (found by the legacy scan).
//
//   acpi_seeds <directory>        (built in the fuzz preset; the files are committed)
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "kernel/boot/testing/acpi_builder.hpp"
#include "kernel/boot/testing/acpi_capture.hpp"

namespace {

using namespace kernel::boot::testing;
using namespace kernel::boot::testing::acpi;

constexpr std::uint64_t memory_base = 0xe0000; // as in acpi_fuzz.cpp

std::uint32_t u32_at(const Bytes& b, std::size_t off) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) v |= std::uint32_t(std::uint8_t(b.at(off + i))) << (8 * i);
    return v;
}
std::uint64_t u64_at(const Bytes& b, std::size_t off) {
    return u32_at(b, off) | std::uint64_t{u32_at(b, off + 4)} << 32;
}

/// Blobs at absolute addresses inside the window, as one input: the hint, then memory from memory_base to the
/// end of the last blob.
void save(const std::string& dir, const std::string& name, std::uint32_t hint,
          const std::vector<Placed>& blobs) {
    std::uint64_t end = memory_base;
    for (const Placed& p : blobs) end = std::max<std::uint64_t>(end, p.pa + p.bytes.size());
    Bytes memory(end - memory_base, std::byte{0});
    for (const Placed& p : blobs)
        for (std::size_t i = 0; i < p.bytes.size(); ++i) memory.at(p.pa - memory_base + i) = p.bytes[i];
    std::ofstream f(dir + "/" + name, std::ios::binary);
    for (int i = 0; i < 4; ++i) f.put(static_cast<char>(hint >> (8 * i)));
    f.write(reinterpret_cast<const char*>(memory.data()), static_cast<std::streamsize>(memory.size()));
}

void save_both(const std::string& dir, const std::string& name, std::uint64_t rsdp_pa,
               const std::vector<Placed>& blobs) {
    save(dir, name + "-hint", static_cast<std::uint32_t>(rsdp_pa), blobs);
    save(dir, name + "-scan", 0, blobs);
}

/// A capture moved into the window: the RSDP at memory_base, then the root tables and every table they list
/// (16-byte aligned), with the pointers in the RSDP and the root tables rewritten and their checksums redone.
/// Tables the root tables do not list (the DSDT, the FACS) are left out; the parser never follows the FADT.
std::vector<Placed> relocate(const Capture& c) {
    std::map<std::uint64_t, std::uint64_t> moved;
    std::vector<Placed> out;
    std::uint64_t next = memory_base + 0x40;
    auto place = [&](const CapturedTable& t) {
        moved[t.pa] = next;
        out.push_back({next, t.bytes});
        next = (next + t.bytes.size() + 15) & ~std::uint64_t{15};
    };
    std::vector<std::uint64_t> listed;
    for (const CapturedTable& t : c.tables) {
        if (t.file == "RSDT.bin" || t.file == "XSDT.bin") {
            place(t);
            const std::size_t entry = t.file == "RSDT.bin" ? 4 : 8;
            for (std::size_t off = 36; off + entry <= t.bytes.size(); off += entry)
                listed.push_back(entry == 4 ? u32_at(t.bytes, off) : u64_at(t.bytes, off));
        }
    }
    for (const CapturedTable& t : c.tables)
        if (!moved.count(t.pa) && std::find(listed.begin(), listed.end(), t.pa) != listed.end()) place(t);
    for (Placed& p : out) {
        const bool rsdt = p.bytes[0] == std::byte{'R'}, xsdt = p.bytes[0] == std::byte{'X'};
        if (!rsdt && !xsdt) continue;
        const std::size_t entry = rsdt ? 4 : 8;
        for (std::size_t off = 36; off + entry <= p.bytes.size(); off += entry) {
            const std::uint64_t old = entry == 4 ? u32_at(p.bytes, off) : u64_at(p.bytes, off);
            const std::uint64_t now = moved.count(old) ? moved[old] : old;
            for (std::size_t i = 0; i < entry; ++i) p.bytes[off + i] = static_cast<std::byte>(now >> (8 * i));
        }
        fix_checksum(p.bytes, 9, 0, p.bytes.size());
    }
    Bytes rsdp = c.tables.at(0).bytes;
    const std::uint32_t rsdt = u32_at(rsdp, 16);
    if (moved.count(rsdt)) patch_u32(rsdp, 16, static_cast<std::uint32_t>(moved[rsdt]));
    if (rsdp.size() >= 36) {
        const std::uint64_t xsdt = u64_at(rsdp, 24);
        if (moved.count(xsdt)) patch_u64(rsdp, 24, moved[xsdt]);
    }
    fix_checksum(rsdp, 8, 0, 20);
    if (rsdp.size() >= 36) fix_checksum(rsdp, 32, 0, rsdp.size());
    out.push_back({memory_base, rsdp});
    return out;
}

AcpiImage in_window(AcpiImage image) {
    image.rsdp_pa = memory_base + 0x10;
    image.tables_pa = memory_base + 0x40;
    return image;
}

Bytes small_madt(const std::vector<Bytes>& entries, std::uint32_t flags = 1) {
    return table("APIC", madt::body(0xfee00000, flags, entries), 5);
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s <captures directory> <corpus directory>\n", argv[0]);
        return 2;
    }
    const std::string captures = argv[1], dir = argv[2];

    for (const std::string& name : capture_names()) {
        Capture c = load_capture(captures, name);
        save_both(dir, "qemu-" + name, memory_base, relocate(c));
    }

    const Bytes fadt = table("FACP", Fadt{}.body(), 6);
    const Bytes hpet = table("HPET", hpet_body(Gas{0, 64, 0, 0, 0xfed00000}, 0x80));
    const Bytes mcfg = table("MCFG", mcfg_body({{0xb0000000, 0, 0, 0xff}, {0xc0000000, 1, 0, 0x3f}}));
    auto seed = [&](const std::string& name, AcpiImage image) {
        image = in_window(std::move(image));
        save_both(dir, name, image.rsdp_pa, image.layout());
    };

    {
        AcpiImage i;
        i.tables = {fadt,
                    small_madt({madt::lapic(0, 0, madt::enabled), madt::lapic(1, 1, madt::enabled),
                                madt::lapic(2, 2, madt::online_capable), madt::lapic(3, 3, 0),
                                madt::ioapic(4, 0xfec00000, 0), madt::ioapic(5, 0xfec01000, 24),
                                madt::source_override(0, 0, 2, 0),
                                madt::source_override(0, 9, 9, madt::active_high | madt::level),
                                madt::lapic_nmi(0xff, 0, 1), madt::lapic_address(0xfee00000)}),
                    hpet, mcfg};
        seed("spec-all-xsdt", i);
        i.rsdp.revision = 0;
        seed("spec-all-rsdt", i);
    }
    {
        AcpiImage i;
        i.tables = {
            small_madt({madt::x2apic(0x100, madt::enabled, 1), madt::x2apic(0x101, madt::online_capable, 2),
                        madt::x2apic_nmi(0, 0xffffffff, 1), madt::x2apic_nmi(madt::edge, 2, 0)},
                       0)};
        seed("spec-x2apic-only", i);
    }
    {
        std::vector<Bytes> cpus;
        for (std::uint32_t id = 0; id < 260; ++id) cpus.push_back(madt::x2apic(id, madt::enabled, id));
        AcpiImage i;
        i.tables = {small_madt(cpus)};
        seed("spec-260-cpus", i);
    }
    {
        AcpiImage i;
        i.tables = {small_madt({madt::lapic(0, 0, madt::enabled), madt::lapic(1, 0, madt::enabled),
                                madt::source_override(1, 0, 2, 0), madt::raw(0x7f, 0, Bytes{})})};
        seed("spec-madt-broken", i);
    }
    {
        AcpiImage i;
        i.tables = {fadt, small_madt({madt::lapic(0, 0, madt::enabled)})};
        i.xsdt_knobs.checksum_delta = 1;
        seed("spec-bad-xsdt", i);
    }
    {
        Fadt short_fadt;
        short_fadt.length = 116;
        AcpiImage i;
        i.tables = {table("FACP", short_fadt.body(), 1),
                    table("HPET", hpet_body(Gas{1, 64, 0, 0, 0xfed00000}, 0)),
                    table("MCFG", mcfg_body({{0xb0000000, 0, 0x80, 0x7f}}))};
        seed("spec-fadt1-hpet-io-mcfg-bad", i);
    }
    return 0;
}
