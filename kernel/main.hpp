// The portable kernel's entry points, called by the arch layer once the machine is set up.
#pragma once

#include <span>

#include "kernel/boot/bootinfo.hpp"
#include "kernel/boot_root/user_runner.hpp"
#include "kernel/mem/frames.hpp"

namespace kernel {

class Kernel;

/// "Janus <version> (build <id>)" on the console. The arch layer prints it first thing, so even a boot that
/// fails later names the kernel that failed.
void print_banner();

/// Boot information was rejected: report it clearly and stop (ExitStatus::panic).
[[noreturn]] void boot_rejected(const boot::BootError& error);

/// Start the kernel with validated boot information: build the root task from its boot module
/// (kernel/boot_root) and run it on this CPU until it ends, then stop the machine with its verdict (success
/// only if it exited with status 0). `reserved`: physical ranges the machine still uses (the kernel image,
/// firmware data), kept out of the frame allocator with the modules. `runner` runs user code (arch::run_user
/// on x86-64). No root module, a corrupt one, or no runner: a message and ExitStatus::panic.
/// `kernel_owned`: physical ranges mmio_create must never hand out besides RAM and the modules (the kernel
/// image and its other memory, the registers of the interrupt controllers and timers the kernel drives).
void start(const boot::BootInfo& info, std::span<const mem::PhysRange> reserved, UserRunner* runner,
           std::span<const mem::PhysRange> kernel_owned = {});

/// start() with nothing reserved and no runner: for hostsim tests of the boot path's early steps.
void start(const boot::BootInfo& info);

/// Every CPU but the boot CPU: wait until start() has built the root task, then run this CPU's share of its
/// run (the same run loop; user code through the runner given to start(), which runs it on the executing
/// CPU) until the run ends; returns then (the boot CPU stops the machine). hostsim boots its simulated CPUs
/// this way; bare-metal SMP bring-up will too.
void start_secondary();

/// The kernel the boot path runs (one per machine), for the machine's own checks (hostsim: is the kernel
/// between operations?) and debuggers. Kernel code never reaches it this way.
const Kernel& machine_kernel();

} // namespace kernel
