// FADT ("FACP", ACPI 6.5, 5.2.9): only the power-management timer. Offsets used:
//   76 PM_TMR_BLK u32 (I/O port) | 91 PM_TMR_LEN u8 (4 if the timer exists) | 112 flags u32 (bit 8
//   TMR_VAL_EXT: a 32-bit counter) | 208 X_PM_TMR_BLK, a 12-byte generic address structure (5.2.3.2:
//   0 address space u8 (1 = system I/O) | 1 bit width | 2 bit offset | 3 access size | 4 address u64).
// X_PM_TMR_BLK, where the table is long enough to hold it and its address is non-zero, takes precedence
// (5.2.9); one that is not a 16-bit I/O port is a Problem and PM_TMR_BLK is used instead.
// A FADT shorter than ACPI 1.0's 116 bytes is rejected. A FADT without a timer (hardware-reduced ACPI) is
// good, with pm_timer.present false.
#include "kernel/boot/acpi_table.hpp"

namespace kernel::boot::acpi::detail {

namespace {

constexpr std::size_t acpi1_length = 116;
constexpr std::size_t pm_tmr_blk = 76, pm_tmr_len = 91, flags_offset = 112, x_pm_tmr_blk = 208;
constexpr std::size_t gas_size = 12;
constexpr std::uint8_t space_system_io = 1;
constexpr std::uint32_t tmr_val_ext = 1u << 8;

} // namespace

bool parse_fadt(Parse& p, const ByteView& t) {
    PmTimer& timer = p.out.pm_timer;
    timer = PmTimer{};
    if (t.size() < acpi1_length) {
        p.problem("FACP", t.pa(), "shorter than an ACPI 1.0 FADT", t.size());
        return false;
    }
    std::uint32_t flags = 0;
    t.read(flags_offset, flags);

    ByteView gas(nullptr, 0, 0);
    if (t.sub(x_pm_tmr_blk, gas_size, gas)) {
        std::uint8_t space = 0;
        std::uint64_t address = 0;
        gas.read(0, space);
        gas.read(4, address);
        if (address != 0) {
            if (space != space_system_io) {
                p.problem("FACP", gas.pa(), "X_PM_TMR_BLK not in system I/O space", space);
            } else if (address > 0xffff) {
                p.problem("FACP", gas.pa(), "X_PM_TMR_BLK port above 0xffff", address);
            } else {
                timer = PmTimer{true, static_cast<std::uint16_t>(address), (flags & tmr_val_ext) != 0};
                return true;
            }
        }
    }

    std::uint32_t port = 0;
    std::uint8_t length = 0;
    t.read(pm_tmr_blk, port);
    t.read(pm_tmr_len, length);
    if (port == 0) return true;
    if (length != 4) {
        p.problem("FACP", t.pa_at(pm_tmr_len), "PM_TMR_LEN is not 4", length);
        return true;
    }
    if (port > 0xffff) {
        p.problem("FACP", t.pa_at(pm_tmr_blk), "PM_TMR_BLK port above 0xffff", port);
        return true;
    }
    timer = PmTimer{true, static_cast<std::uint16_t>(port), (flags & tmr_val_ext) != 0};
    return true;
}

} // namespace kernel::boot::acpi::detail
