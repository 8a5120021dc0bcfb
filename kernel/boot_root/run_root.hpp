// The root task's run: the kernel's run loop (kernel/sched/cpu_loop.hpp behind kernel/entry/kernel_host.hpp)
// on every CPU with one shared RootSession as its UserMode, until the root task ends the run.
#pragma once

#include "arch/cpu.hpp"
#include "kernel/boot_root/root_session.hpp"

namespace kernel {

class Kernel;

/// The boot CPU's share: runs until the root task exits or crashes (on whichever CPU), prints the outcome and
/// returns the machine's verdict: success only for exit status 0.
arch::ExitStatus run_root(Kernel& kernel, RootSession& session);

/// Any other CPU's share: its run loop until the run ends. The boot CPU gives the verdict.
void join_root(Kernel& kernel, RootSession& session);

} // namespace kernel
