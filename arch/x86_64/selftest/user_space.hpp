// The small address space janus.selftest=user runs ring-3 code in, built with the kernel's own page-table
// code (kernel/mem) over frames from the kernel's frame allocator. Lower half:
//   code_va   one page, user read+execute: the test program
//   data_va   one page, user read+write, no execute
//   stack_va  one page, user read+write, no execute; the stack pointer starts at its top
//   probe_va  one page, user read-only, pointing at frame probe[0] or probe[1] (TLB checks)
// Upper half: the kernel's entries, shared, supervisor-only.
#pragma once

#include <cstdint>
#include <span>

#include "arch/user.hpp"
#include "kernel/boot/bootinfo.hpp"
#include "kernel/mem/kernel_page_table.hpp"

namespace arch::x86::selftest {

struct UserSpace {
    static constexpr std::uint64_t code_va = 0x40'0000;
    static constexpr std::uint64_t data_va = 0x60'0000;
    static constexpr std::uint64_t stack_va = 0x7f'f000;
    static constexpr std::uint64_t stack_top = stack_va + 0x1000;
    static constexpr std::uint64_t probe_va = 0xa0'0000;
    static constexpr AddressSpaceId asid = 1;

    AddressSpaceRoot root;
    PhysAddr code, data, stack;
    PhysAddr probe[2]; ///< frames holding probe_value(0) and probe_value(1) in their first word

    static constexpr std::uint64_t probe_value(unsigned i) { return 0x5052'4f42'4500'0000ull + i; }

    /// Point probe_va at probe[which]. Returns the TLB invalidation the page-table code asks for.
    kernel::mem::Flush point_probe_at(unsigned which);
};

/// Build the space with `program` in its code page. Takes frames from kernel::mem::frames(), which it first
/// fills from the boot memory map (nothing else runs in this boot). False, after printing why, on failure.
bool build_user_space(const kernel::boot::BootInfo& info, std::span<const std::uint8_t> program,
                      UserSpace& space);

} // namespace arch::x86::selftest
