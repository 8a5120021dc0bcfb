// The x86-64 kernel's virtual memory layout. Shared by the linker script (through layout.ld), the boot
// assembly and C++; the numbers here are the single source.
//
//   0xffffffff80000000 + pa   the kernel image (text, rodata, data, bss), physical 1 MiB and up
//   0xffff800000000000 + pa   direct map of physical memory, 2 MiB pages, NX; the first 4 GiB at boot
//   0x0000000000000000 + pa   identity map of the first 1 GiB; exists only until the higher half runs
#pragma once

#define JANUS_KERNEL_VMA 0xffffffff80000000
#define JANUS_DIRECT_MAP_BASE 0xffff800000000000
#define JANUS_DIRECT_MAP_SIZE 0x100000000 /* 4 GiB: every legacy MMIO hole and framebuffer sits below it */
#define JANUS_BOOT_STACK_SIZE 0x10000     /* 64 KiB: the boot-information parsers use about 20 KiB */

#if !defined(__ASSEMBLER__)
#include <cstdint>

namespace arch::x86 {

inline constexpr std::uint64_t kernel_vma = JANUS_KERNEL_VMA;
inline constexpr std::uint64_t direct_map_base = JANUS_DIRECT_MAP_BASE;
inline constexpr std::uint64_t direct_map_size = JANUS_DIRECT_MAP_SIZE;

/// Where physical address `pa` appears in the direct-map area (mapped only where the page tables say so).
/// The one place that turns a number into a pointer to physical memory.
inline void* direct_map_address(std::uint64_t pa) {
    return reinterpret_cast<void*>(direct_map_base + pa); // NOLINT(performance-no-int-to-ptr)
}

} // namespace arch::x86
#endif
