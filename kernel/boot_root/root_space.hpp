// The root task's address space, built at boot from a validated image: the ELF's segments, a stack and a
// pool of free memory, each page a root of its own derivation tree in the mapping database
// (grant_root_memory: unpaid, like the boot objects). The first thread's UTCB comes with the thread
// (create_root). Layout: janus::abi::root_mem, docs/abi.md "At boot".
//
// Every page is a fresh frame from the frame allocator, zeroed or filled with the segment's initial bytes;
// a segment never maps the module's own frames (writable pages must be private; the module's bytes reach
// the root task only read-only, in the module window: root_modules.hpp). Mapping rights: the segment's
// read/write/exec (never write with exec, the loader guarantees it) plus grant, so the root task can hand its
// pages on (to run code in child domains, say); stack and pool are read/write with grant.
#pragma once

#include <cstdint>

#include "kernel/boot_root/root_module.hpp"
#include "kernel/lifecycle/root.hpp"
#include "kernel/mem/frame_allocator.hpp"

namespace kernel {

class Kernel;
class Pd;

/// Checks that no segment of `image` reaches a page the boot path maps itself (stack, UTCB, pool, module
/// table and window); prints "<module> rejected: ..." and returns false if one does.
bool image_fits_root_layout(const boot::Module& module, const RootImage& image);

/// Maps every page of every segment of `image` into `root` (a fresh root domain). False, with a message, if
/// frames or kernel memory ran out.
bool map_root_image(Kernel& kernel, Pd& root, mem::FrameAllocator& frames, const RootImage& image);

/// Maps janus::abi::root_mem's stack (zeroed). False, with a message, if memory ran out.
bool map_root_stack(Kernel& kernel, Pd& root, mem::FrameAllocator& frames);

/// Maps up to `bytes` (a multiple of 4 KiB, at most root_mem::pool_max_bytes) of zeroed free memory at
/// root_mem::pool, in the largest blocks the allocator has (2 MiB where it can). Returns the bytes mapped,
/// which are fewer only if the allocator or kernel memory ran dry first.
std::uint64_t map_root_pool(Kernel& kernel, Pd& root, mem::FrameAllocator& frames, std::uint64_t bytes);

} // namespace kernel
