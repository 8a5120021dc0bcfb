// Physical memory the x86-64 port takes for itself before the kernel's frame allocator exists: the page the
// application processors start in, and their stacks. A pure rule over the loader's memory map, so the host
// tests it (arch/x86_64/tests/boot_memory_test.cpp); what it returns is passed to kernel::start as reserved.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "kernel/boot/bootinfo.hpp"
#include "kernel/mem/frames.hpp"

namespace arch::x86 {

/// The lowest `size` bytes at an `align`-aligned address inside one usable region of `map`, within
/// [floor, ceiling), that overlap none of `taken`. `align` is a power of two; nullopt if nothing fits.
inline std::optional<kernel::mem::PhysAddr> find_free_range(const kernel::boot::MemoryMap& map,
                                                            std::span<const kernel::mem::PhysRange> taken,
                                                            std::uint64_t size, std::uint64_t align,
                                                            std::uint64_t floor, std::uint64_t ceiling) {
    if (size == 0 || align == 0 || (align & (align - 1)) != 0) return std::nullopt;
    auto align_up = [align](std::uint64_t v) -> std::optional<std::uint64_t> {
        std::uint64_t up = v + (align - 1);
        if (up < v) return std::nullopt;
        return up & ~(align - 1);
    };
    for (const kernel::boot::MemoryRegion& r : map) {
        if (r.type != kernel::boot::MemoryType::usable) continue;
        std::uint64_t lo = r.base > floor ? r.base : floor;
        std::uint64_t hi = r.end() < ceiling ? r.end() : ceiling;
        // Try each candidate start: the region's (aligned) start, then just past each taken range inside it.
        // The lowest fit is among them, since a fit that starts elsewhere could slide down to one of these.
        std::optional<std::uint64_t> at = align_up(lo);
        while (at && *at < hi && size <= hi - *at) {
            std::uint64_t end = *at + size;
            const kernel::mem::PhysRange* clash = nullptr;
            for (const kernel::mem::PhysRange& t : taken)
                if (t.base < end && *at < t.end && (!clash || t.end > clash->end)) clash = &t;
            if (!clash) return *at;
            at = align_up(clash->end);
        }
    }
    return std::nullopt;
}

} // namespace arch::x86
