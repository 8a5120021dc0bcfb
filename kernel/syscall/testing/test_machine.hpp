// The physical layout every TestKernel boots with, as a PC's firmware reports it: RAM (usable, ACPI
// reclaimable and NVS, bad), firmware-reserved ranges, holes, and the interrupt controllers' register pages
// the kernel drives. mmio_create hands out exactly the pages outside `ram` and `kernel_owned`
// (docs/abi.md "Device memory"); tests, the capability model's link and the fuzzer read the same tables.
#pragma once

#include <cstdint>

namespace kernel::testing::machine {

struct Range {
    std::uint64_t base, end;
    std::uint8_t type; ///< kernel::boot::MemoryType's value
};

namespace type {
inline constexpr std::uint8_t usable = 0, acpi_reclaimable = 1, acpi_nvs = 2, bad = 3, reserved = 4;
}

/// The boot memory map, sorted. Holes: 0xa0000-0xf0000 (VGA at 0xb8000), 0x8000000-0xe0000000 (PCI BARs),
/// 0xf0000000-0x100000000 (but for the APIC pages), everything from 0x200000000 on.
inline constexpr Range memory_map[] = {
    {0x0, 0x9'f000, type::usable},
    {0x9'f000, 0xa'0000, type::reserved},
    {0xf'0000, 0x10'0000, type::reserved},
    {0x10'0000, 0x7fe'0000, type::usable},
    {0x7fe'0000, 0x7ff'0000, type::acpi_reclaimable},
    {0x7ff'0000, 0x800'0000, type::acpi_nvs},
    {0xe000'0000, 0xf000'0000, type::reserved}, // PCI ECAM
    {0x1'0000'0000, 0x1'0001'0000, type::bad},
    {0x1'0001'0000, 0x2'0000'0000, type::usable},
};

/// What the kernel keeps for itself besides RAM: the I/O APIC's and the local APIC's register pages.
inline constexpr std::uint64_t ioapic = 0xfec0'0000;
inline constexpr std::uint64_t lapic = 0xfee0'0000;
inline constexpr Range kernel_owned[] = {{ioapic, ioapic + 0x1000, 0}, {lapic, lapic + 0x1000, 0}};

/// Device memory for tests: the VGA text buffer (a hole) and the ECAM window (reserved). 0x9f000 (reserved,
/// right after low RAM) and 0x200000000 (right after high RAM) are not: a usable region's neighbours count as
/// RAM.
inline constexpr std::uint64_t vga = 0xb'8000;
inline constexpr std::uint64_t ecam = 0xe000'0000;

/// Whether every page of [base, end) is device memory on this machine (an oracle independent of the
/// kernel's table: a plain scan).
constexpr bool is_device(std::uint64_t base, std::uint64_t end) {
    // A usable region's neighbouring pages count as RAM (the boot map drops partial usable pages, so the
    // kernel cannot tell them from holes).
    for (const Range& r : memory_map) {
        const std::uint64_t guard = r.type == type::usable ? 0x1000 : 0;
        const std::uint64_t lo = r.base >= guard ? r.base - guard : 0, hi = r.end + guard;
        if (r.type != type::reserved && base < hi && lo < end) return false;
    }
    for (const Range& r : kernel_owned)
        if (base < r.end && r.base < end) return false;
    return base < end;
}

} // namespace kernel::testing::machine
