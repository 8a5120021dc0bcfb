// The kernel's own page tables, built at boot with kernel/mem's page-table code (the same algorithm user
// address spaces use) to replace the boot tables of boot/entry.S:
//
//   kernel image   .text read+execute, .rodata read-only, .data/.bss read+write, no-execute; the stacks in
//                  .stacks read+write, no-execute, each above an unmapped guard page
//   direct map     physical 0 .. 4 GiB at JANUS_DIRECT_MAP_BASE, read+write, no-execute, 2 MiB pages
//                  (split to 4 KiB where a device page needs another memory type)
//
// Every kernel mapping is global and supervisor-only; nothing is writable and executable. Table pages come
// from a fixed pool in .bss, so the tables exist before any allocator does. report_kernel_layout() prints the
// ranges and rights for hwtest's W^X check, which compares them with QEMU's view of the live tables.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel/mem/paging.hpp"

namespace arch::x86 {

/// Program the PAT as kernel/mem's encoding expects (write-back, write-combining, uncached-, uncached).
void setup_pat();

/// Build the kernel's tables, switch CR3 to them and turn on global pages. Stops the machine if the table
/// pool runs out (a build-time sizing error).
void install_kernel_tables();

/// Print "paging: <what> <start>-<end> <rights>" for each kernel range (rights r/w/x or ---).
void report_kernel_layout();

/// Kernel pointer to device registers at physical [pa, pa + size), mapped uncached in the direct-map area
/// (which reaches 512 GiB for this). Null if it cannot be mapped.
void* map_device(std::uint64_t pa, std::uint64_t size);

/// Kernel pointer to a framebuffer at physical [pa, pa + size), mapped write-combining. Null if it cannot be
/// mapped.
void* map_framebuffer(std::uint64_t pa, std::uint64_t size);

/// Map [va, va + size) of the kernel half to [pa, pa + size) with 4 KiB pages and `rights`, and drop stale
/// translations. For self-tests (janus.selftest=wx plants a writable+executable page this way).
bool map_kernel_pages(std::uint64_t va, std::uint64_t pa, std::uint64_t size, kernel::mem::Rights rights);

} // namespace arch::x86
