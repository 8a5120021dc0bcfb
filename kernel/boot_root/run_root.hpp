// The root task's run on this CPU: the kernel's run loop (kernel/sched/cpu_loop.hpp behind
// kernel/entry/kernel_host.hpp) with a RootSession as its UserMode, until the root task ends the run.
#pragma once

#include "arch/cpu.hpp"
#include "kernel/boot_root/user_runner.hpp"

namespace kernel {

class Kernel;

/// Runs the booted root task until it exits or crashes; prints the outcome and returns the machine's
/// verdict: success only for exit status 0.
arch::ExitStatus run_root(Kernel& kernel, UserRunner& runner);

} // namespace kernel
