// The boot modules handed to the root task (docs/abi.md "At boot": janus::abi::root_mem::modules and
// module_table; docs/boot.md "The root task").
//
// Every module's own frames are mapped read-only (read, exec, grant; never write) into the module window,
// the root task's own module first, the others in boot order, each from a fresh 2 MiB boundary; one fresh
// frame from the allocator, filled with a janus::abi::ModuleTable, names them (read, grant). No copies:
// modules may be large, and a page that nobody can write is harmless to share with the loader's memory.
// Exec because module pages are ring 3's only source of executable memory besides the root's own image
// (the pool is rw-): a root task such as init runs its components' text from their modules' pages.
//
// Module frames are reserved boot memory for good. boot_root reserves every module's range (rounded outwards
// to whole pages by init_frames) before the frame allocator exists, so no module page is ever in the
// allocator; and the mapping database gives no frame back when a mapping goes (grant_root_memory's frames are
// handed over for good, removing a node frees only the node), so mem_unmap or the root domain's death leaves
// them reserved. The invariant checker looks at nodes, derivation and page-table entries, not at where a
// frame came from: module pages pass as the image's pages do (those come from the allocator and are never
// returned either). Two modules sharing a page map it twice, each a root of its own derivation tree.
//
// A module's range is untrusted boot input. The parsers guarantee only that base + size does not wrap
// (multiboot2: 32-bit start <= end; PVH: checked); a module may still lie outside RAM, on the kernel, on
// another module. Its pages are handed over only if they lie inside one usable region of the memory map and
// outside every range the machine keeps (`reserved`: the first MiB, the kernel image, the other CPUs'
// stacks). Whatever else shares a module's first or last page becomes readable to the root task; it is
// never kernel state: page tables and kernel objects come from the allocator, which owns no module page,
// and everything the kernel keeps otherwise is in `reserved` or outside usable memory.
#pragma once

#include <cstdint>
#include <span>

#include "kernel/boot/bootinfo.hpp"
#include "kernel/mem/frames.hpp"

namespace kernel {

class Kernel;
class Pd;

/// Whether a module's pages may be mapped into user space, and if not, why.
struct ModuleRange {
    enum class Verdict : std::uint8_t {
        ok,
        wraps,            ///< base + size, rounded up to a page, passes the end of the address space
        outside_usable,   ///< its pages are not all inside one usable region of the memory map
        reserved_overlap, ///< its pages overlap a range the machine keeps (`clash`)
    };
    Verdict verdict = Verdict::ok;
    std::uint64_t page_base = 0, page_end = 0; ///< its pages: [page_base, page_end), empty for size 0
    mem::PhysRange clash{0, 0};
};

/// Checks `module` against the memory map and the machine's reserved ranges (see above).
ModuleRange check_module_range(const boot::Module& module, const boot::MemoryMap& memory,
                               std::span<const mem::PhysRange> reserved);

/// Prints why a range is refused: "its 12 KiB at 0x... are not inside usable memory of the memory map", ...
void put(Sink& s, const boot::Module& module, const ModuleRange& range);

/// Maps every module of `info` that passes check_module_range and fits the window (the root's own,
/// `root_module`, first; it is known to pass), printing "boot: module N \"<name>\" <size> at <address>" for
/// each and "boot module ... skipped: <why>" for the others, then the table. Returns the number of modules
/// listed; 0 (with "... rejected: <why>") if the root's own module could not be mapped (beyond the window,
/// out of kernel memory) or the table could not be (out of memory).
std::uint64_t map_root_modules(Kernel& kernel, Pd& root, mem::FrameAllocator& frames,
                               const boot::BootInfo& info, const boot::Module& root_module,
                               std::span<const mem::PhysRange> reserved);

} // namespace kernel
