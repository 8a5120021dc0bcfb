// Which page-table tree each CPU has loaded. run_user() switches CR3 only when the user's tree differs from
// the loaded one and leaves it loaded afterwards (the kernel half is the same in every tree), so a thread
// that enters the kernel and goes straight back keeps its TLB entries. PCIDs are not used: a CR3 switch drops
// every non-global translation, and global ones are the kernel's.
#pragma once

#include "arch/user.hpp"
#include "arch/x86_64/cpu_local.hpp"

namespace arch::x86 {

/// The physical-address bits of CR3 (and of a top-level table's address).
inline constexpr std::uint64_t cr3_address = 0x000f'ffff'ffff'f000ull;

/// The kernel's own top-level table (shared upper half, nothing in the lower half).
PhysAddr kernel_root();

/// Make `root` the kernel's table and load it on this CPU.
void set_kernel_root(PhysAddr root);

void load_address_space(CpuLocal& cpu, const AddressSpaceRoot& space);
void load_kernel_address_space(CpuLocal& cpu);

} // namespace arch::x86
