// The boot path from validated boot information to a root task ready to run:
//
//   find the root module -> validate it (ELF, layout) -> frame allocator over usable RAM minus the reserved
//   ranges and every module -> Kernel::init -> create_root (selectors 1..3, the UTCB) -> segments, stack,
//   every module with their table (root_modules.hpp) and the pool into its address space -> its first
//   thread ready at the ELF entry with the start words.
//
// Every failure is a message on the console and `false`; the caller stops the machine with the panic status.
// Nothing here runs user code: the caller enters the run loop with a RootSession (root_session.hpp).
#pragma once

#include <cstdint>
#include <span>

#include "kernel/boot/bootinfo.hpp"
#include "kernel/kernel.hpp"
#include "kernel/kmem/frame_pages.hpp"
#include "kernel/lifecycle/root.hpp"
#include "kernel/mem/frames.hpp"

namespace kernel {

/// What the boot path gave the root task.
struct RootBoot {
    Root root{};
    std::uint64_t entry = 0;      ///< where its first thread starts
    std::uint64_t quota = 0;      ///< its kernel-memory quota
    std::uint64_t pool_bytes = 0; ///< free memory at janus::abi::root_mem::pool
    std::uint64_t modules = 0;    ///< entries of the module table (janus::abi::root_mem::module_table)
};

/// At most this many ranges besides the modules may be reserved by the machine.
inline constexpr std::size_t max_machine_reserved = 8;

/// Builds the root task into `kernel` (fresh, not yet initialised), taking frames from mem::frames() through
/// `pages`. `reserved`: physical ranges the machine still uses (kernel image, firmware data); the modules
/// are reserved here. Prints what it does; on failure prints why and returns false.
bool boot_root(Kernel& kernel, FramePageSource& pages, const boot::BootInfo& info,
               std::span<const mem::PhysRange> reserved, boot::PhysReader& reader, RootBoot& out);

} // namespace kernel
