// Which physical addresses are device memory (mmio_create): everything except the ranges recorded here,
// which the boot path fills from the boot memory map (every region but 'reserved' is RAM, rounded outward to
// whole pages; a usable region takes the page on each side with it, since the map dropped its partial pages),
// the kernel image,
// the boot modules and the register pages of the devices the kernel drives itself (local APIC, I/O APICs,
// HPET). Firmware-reserved ranges and holes are device memory: PCI BARs and ECAM live there.
//
// Until the boot path (or a test) has filled the table, nothing is device memory; a table that overflowed
// refuses everything too, so a machine with an unusually fragmented map loses mmio, never safety.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "kernel/boot/bootinfo.hpp"
#include "kernel/mem/frames.hpp"

namespace kernel {

class DeviceMemory {
public:
    static constexpr std::size_t capacity = 96;

    /// Empty and not ready: nothing is device memory.
    void reset() { *this = DeviceMemory{}; }
    /// [base, end) is never device memory. Adjacent or overlapping ranges are merged when they come in
    /// order (the memory map's do). False, and the table refuses everything from then on, if it is full.
    bool exclude(std::uint64_t base, std::uint64_t end);
    /// The table is complete: from now on is_device answers.
    void seal() { ready_ = true; }

    /// Whether every byte of [base, end) (base < end) is device memory.
    bool is_device(std::uint64_t base, std::uint64_t end) const;

    bool overflowed() const { return overflowed_; }
    std::size_t count() const { return count_; }

private:
    mem::PhysRange ranges_[capacity] = {};
    std::size_t count_ = 0;
    bool ready_ = false;
    bool overflowed_ = false;
};

/// Fills and seals `table` for a boot: RAM of `info`'s memory map, its modules and `kernel_owned` (the kernel
/// image, its other memory, the registers of devices it drives). Prints a line if the table overflowed.
void device_memory_from_boot(DeviceMemory& table, const boot::BootInfo& info,
                             std::span<const mem::PhysRange> kernel_owned);

} // namespace kernel
