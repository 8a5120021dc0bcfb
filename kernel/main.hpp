// The portable kernel's entry points, called by the arch layer once the machine is set up.
#pragma once

#include "kernel/boot/bootinfo.hpp"

namespace kernel {

/// "Janus <version> (build <id>)" on the console. The arch layer prints it first thing, so even a boot that
/// fails later names the kernel that failed.
void print_banner();

/// Boot information was rejected: report it clearly and stop (ExitStatus::panic).
[[noreturn]] void boot_rejected(const boot::BootError& error);

/// Start the kernel with validated boot information. Returns only under hostsim tests; on a machine it ends
/// in arch::shutdown().
void start(const boot::BootInfo& info);

} // namespace kernel
