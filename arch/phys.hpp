// Arch contract: access to physical memory.
//
// The kernel reaches physical memory through a window (the direct map on x86-64, the simulated RAM buffer
// under hostsim). Only ranges for which phys_accessible() holds may be touched through phys_to_virt().
#pragma once

#include <cstddef>
#include <cstdint>

namespace arch {

using PhysAddr = std::uint64_t;

/// True if [base, base + size) lies wholly inside the window (no wrap-around).
bool phys_accessible(PhysAddr base, std::size_t size);

/// Kernel pointer to physical address `pa`. Precondition: phys_accessible(pa, 1).
void* phys_to_virt(PhysAddr pa);

/// Inverse of phys_to_virt for pointers into the window.
PhysAddr virt_to_phys(const void* va);

} // namespace arch
