// The root task's platform page (janus::abi::root_mem::platform, docs/abi.md "At boot"): what the firmware
// reported that user-level drivers need, copied from the boot information: for now the PCI configuration
// space's ECAM windows (ACPI MCFG). Read-only with grant, so the root can hand it to a driver.
#pragma once

#include "kernel/boot/bootinfo.hpp"
#include "kernel/mem/frame_allocator.hpp"

namespace kernel {

class Kernel;
class Pd;

/// Fills a fresh frame with the Platform of `info` and maps it into `root` at root_mem::platform; false (with
/// a console line) if there is no frame or the mapping fails.
bool map_root_platform(Kernel& kernel, Pd& root, mem::FrameAllocator& frames, const boot::BootInfo& info);

} // namespace kernel
