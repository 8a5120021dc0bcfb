// Adjustments to the boot page tables built by boot/entry.S, made once the kernel runs in the higher half.
// (The kernel's own page-table code replaces these tables in a later stage.)
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel/boot/bootinfo.hpp"

namespace arch::x86 {

/// Remove the identity map of low memory that only the jump to the higher half needed, so that stray
/// low-address (and null) accesses fault.
void drop_identity_map();

/// Program the PAT so that page attribute PWT selects write-combining (entry 1), when the CPU has a PAT.
void setup_pat();

/// Kernel pointer to device registers at physical [pa, pa + size), mapped uncached. Null if usable RAM shares
/// the large pages that would have to become uncached, or the range lies beyond the direct map.
void* map_device(std::uint64_t pa, std::uint64_t size, const kernel::boot::MemoryMap& memory);

/// Kernel pointer to a framebuffer at physical [pa, pa + size), mapped write-combining when that is safe (no
/// usable RAM shares its 2 MiB pages). Ranges above the 4 GiB direct map are mapped into the direct-map area
/// from a small reserve of page directories. Null if the range cannot be mapped.
void* map_framebuffer(std::uint64_t pa, std::uint64_t size, const kernel::boot::MemoryMap& memory);

} // namespace arch::x86
