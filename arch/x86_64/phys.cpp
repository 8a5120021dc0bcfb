// arch/phys.hpp on x86-64: physical memory is reached through the direct map at JANUS_DIRECT_MAP_BASE. Only
// the part the boot page tables map (the first 4 GiB) is accessible; anything else is refused, never guessed.
#include "arch/phys.hpp"

#include "arch/x86_64/layout.hpp"

namespace arch {

using x86::direct_map_base;
using x86::direct_map_size;
using x86::kernel_vma;

bool phys_accessible(PhysAddr base, std::size_t size) {
    return base <= direct_map_size && size <= direct_map_size - base;
}

void* phys_to_virt(PhysAddr pa) {
    return x86::direct_map_address(pa);
}

PhysAddr virt_to_phys(const void* va) {
    auto v = reinterpret_cast<std::uintptr_t>(va);
    // The kernel image is mapped twice (higher half and direct map); both give the same physical address.
    if (v >= kernel_vma) return v - kernel_vma;
    return v - direct_map_base;
}

} // namespace arch
