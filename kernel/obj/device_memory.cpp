#include "kernel/obj/device_memory.hpp"

#include "kernel/lib/print.hpp"

namespace kernel {

bool DeviceMemory::exclude(std::uint64_t base, std::uint64_t end) {
    if (base >= end) return true;
    if (count_ && base <= ranges_[count_ - 1].end && end >= ranges_[count_ - 1].base) {
        mem::PhysRange& last = ranges_[count_ - 1];
        if (base < last.base) last.base = base;
        if (end > last.end) last.end = end;
        return true;
    }
    if (count_ == capacity) {
        overflowed_ = true;
        return false;
    }
    ranges_[count_++] = {base, end};
    return true;
}

bool DeviceMemory::is_device(std::uint64_t base, std::uint64_t end) const {
    if (!ready_ || overflowed_ || base >= end) return false;
    for (std::size_t i = 0; i < count_; ++i)
        if (base < ranges_[i].end && ranges_[i].base < end) return false;
    return true;
}

void device_memory_from_boot(DeviceMemory& table, const boot::BootInfo& info,
                             std::span<const mem::PhysRange> kernel_owned) {
    table.reset();
    // RAM regions round outward to whole pages. The normalised map has dropped the partial pages at the ends
    // of usable regions (kernel/boot/bootinfo.hpp), so what remains cannot tell such a page (RAM in part)
    // from a hole: the page on each side of a usable region is excluded too.
    constexpr std::uint64_t page = 0x1000;
    for (const boot::MemoryRegion& r : info.memory) {
        if (r.type == boot::MemoryType::reserved) continue;
        const std::uint64_t guard = r.type == boot::MemoryType::usable ? page : 0;
        std::uint64_t base = r.base & ~(page - 1), end = r.end() + (page - 1);
        end = end < r.end() ? ~(page - 1) : end & ~(page - 1); // the last page of 64 bits stays in
        base = base >= guard ? base - guard : 0;
        end = end + guard < end ? ~std::uint64_t{0} : end + guard;
        table.exclude(base, end);
    }
    for (std::size_t i = 0; i < info.module_count; ++i) {
        const boot::Module& m = info.modules[i];
        // A module range is boot input: one that wraps reaches the top of the address space.
        const std::uint64_t end = m.base + m.size < m.base ? ~std::uint64_t{0} : m.base + m.size;
        table.exclude(m.base & ~std::uint64_t{0xfff}, end);
    }
    for (const mem::PhysRange& r : kernel_owned) table.exclude(r.base, r.end);
    table.seal();
    if (table.overflowed())
        println("mmio: the machine's memory map has more than ", DeviceMemory::capacity,
                " RAM ranges; device memory is not handed out");
}

} // namespace kernel
