// ACPI tables from the firmware, parsed as untrusted input into one `AcpiInfo`: the CPUs and interrupt
// controllers of the MADT, the FADT's PM timer, the HPET and the MCFG's PCI configuration windows.
//
// Everything is read through a PhysReader. Every table's header, length and checksum is checked before any
// field of it is used; a table that fails is a `Problem`: reported by its signature and skipped, never
// half-trusted. A MADT entry whose length is impossible (below 2 or its type's size, or past the table's end)
// makes the whole MADT a Problem; a well-formed entry with an impossible value (an override of a bus other
// than ISA, a duplicate APIC ID, more I/O APICs, overrides or NMIs than the arrays hold) is dropped with a
// Problem and the rest is kept; CPUs beyond max_cpus are counted in `cpus_dropped`. Only an unusable RSDP or
// root table (RSDT/XSDT) leaves `found` false; a bad FADT, HPET or MCFG costs just that table
// (implementation: acpi*.cpp).
//
// Specification: ACPI 6.5, chapter 5.2 (RSDP 5.2.5, header 5.2.6, RSDT/XSDT 5.2.7-8, FADT 5.2.9, MADT 5.2.12;
// HPET: IA-PC HPET specification 1.0a, 3.2.4; MCFG: PCI Firmware specification 3.2, 4.1.2).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel/boot/bootinfo.hpp"
#include "kernel/lib/print.hpp"

namespace kernel::boot::acpi {

/// MPS INTI flags of interrupt source overrides and NMI entries (ACPI 6.5 table 5.50), decoded.
enum class Polarity : std::uint8_t { bus_default, active_high, active_low };
enum class Trigger : std::uint8_t { bus_default, edge, level };

/// A processor's local APIC (MADT type 0) or local x2APIC (type 9).
struct Cpu {
    std::uint32_t apic_id;
    std::uint32_t uid;   ///< ACPI processor UID: what NMI entries name
    bool enabled;        ///< flags bit 0: usable now
    bool online_capable; ///< flags bit 1: not enabled, but may be brought online (hot-plug); not started
    bool x2apic_entry;   ///< from a type-9 entry (IDs above 254 need one)
};

/// An I/O APIC (MADT type 1): its registers at `address`, serving GSIs gsi_base .. gsi_base + inputs - 1
/// (the number of inputs is in the I/O APIC's own version register, not in the MADT).
struct IoApic {
    std::uint8_t id;
    std::uint32_t address;
    std::uint32_t gsi_base;
};

/// An interrupt source override (MADT type 2): ISA IRQ `source` is wired to `gsi` with this polarity and
/// trigger. ISA IRQs without an override are GSI = IRQ, edge, active high.
struct Override {
    std::uint8_t source;
    std::uint32_t gsi;
    Polarity polarity;
    Trigger trigger;
};

/// A local APIC NMI entry (MADT type 4, or type 0xA for x2APIC UIDs): LINT0 or LINT1 of the processors
/// with ACPI UID `uid` is wired to NMI. `all_cpus` when the entry names every processor (0xff / 0xffffffff).
struct LocalNmi {
    std::uint32_t uid;
    bool all_cpus;
    std::uint8_t lint; ///< 0 or 1
    Polarity polarity;
    Trigger trigger;
};

/// The ACPI power-management timer (FADT PM_TMR_BLK / X_PM_TMR_BLK): a 3.579545 MHz counter in I/O space.
struct PmTimer {
    bool present = false;
    std::uint16_t port = 0;
    bool bits32 = false; ///< FADT flag TMR_VAL_EXT: the counter has 32 bits, else 24
};

/// The first HPET's event-timer block (HPET table), in memory space.
struct Hpet {
    bool present = false;
    std::uint64_t address = 0;
    std::uint16_t min_tick = 0;
};

/// One PCI segment group's memory-mapped configuration space (MCFG): buses start_bus..end_bus at `base`.
struct McfgSegment {
    std::uint64_t base;
    std::uint16_t segment;
    std::uint8_t start_bus;
    std::uint8_t end_bus;
};

/// A table, or a part of one, that was not used, and why.
struct Problem {
    char signature[5];   ///< "RSDP", "XSDT", "APIC", "FACP", "HPET", "MCFG", ...; NUL-terminated
    std::uint64_t pa;    ///< where the table (or the offending field) is
    const char* what;    ///< "bad checksum", "length past the end of the table", ...
    std::uint64_t value; ///< the offending value, if any
};

struct AcpiInfo {
    static constexpr std::size_t max_cpus = 256;
    static constexpr std::size_t max_ioapics = 16;
    static constexpr std::size_t max_overrides = 16;
    static constexpr std::size_t max_nmis = 16;
    static constexpr std::size_t max_mcfg = 8;
    static constexpr std::size_t max_problems = 16;

    bool found = false; ///< an RSDP and a root table (RSDT or XSDT) passed the checks
    std::uint64_t rsdp_pa = 0;
    std::uint8_t revision = 0; ///< RSDP revision: 0 for ACPI 1.0 (RSDT only), 2 and up (XSDT)
    char oem_id[7] = {};       ///< from the RSDP, NUL-terminated

    bool madt = false;               ///< a MADT passed the checks: the fields below are from it
    std::uint64_t lapic_address = 0; ///< the local APIC's physical address (type 5 overrides the header)
    bool pcat_compat = false;        ///< MADT flag PCAT_COMPAT: dual 8259s are present (and must be masked)
    Cpu cpus[max_cpus];
    std::size_t cpu_count = 0;    ///< CPU entries kept (enabled or online-capable), in table order
    std::size_t cpus_dropped = 0; ///< further such entries beyond max_cpus
    IoApic ioapics[max_ioapics];
    std::size_t ioapic_count = 0;
    Override overrides[max_overrides];
    std::size_t override_count = 0;
    LocalNmi nmis[max_nmis];
    std::size_t nmi_count = 0;

    PmTimer pm_timer;
    Hpet hpet;
    McfgSegment mcfg[max_mcfg];
    std::size_t mcfg_count = 0;

    Problem problems[max_problems];
    std::size_t problem_count = 0;    ///< problems recorded (at most max_problems) ...
    std::size_t problems_dropped = 0; ///< ... and those beyond it

    /// The override for ISA IRQ `source`, or nullptr (then GSI = IRQ, edge, active high).
    const Override* override_for(std::uint8_t source) const;
};

/// Find and parse the ACPI tables. `rsdp_hint` is the RSDP's physical address from the loader (multiboot2
/// tag 14/15, PVH rsdp_paddr), 0 if it gave none; only then are the legacy BIOS areas scanned (the first KiB
/// of the EBDA, then 0xE0000-0xFFFFF, on 16-byte boundaries; UEFI machines have neither). Never fails: what
/// is missing or bad shows in `out.found`, the per-table flags and `out.problems`. `out` is reset first.
void parse(PhysReader& mem, std::uint64_t rsdp_hint, AcpiInfo& out);

/// "acpi: APIC at 0x...: bad checksum (value 0x...)" style: the table and the reason.
void put(Sink& s, const Problem& p);

} // namespace kernel::boot::acpi
