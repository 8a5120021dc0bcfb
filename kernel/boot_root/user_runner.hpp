// How the root task's run executes user code: arch::run_user on a machine (arch/x86_64/boot_main.cpp), an
// emulator under hostsim. The one virtual call per kernel exit is the price of keeping the boot path
// portable.
#pragma once

#include "arch/user.hpp"

namespace kernel {

class UserRunner {
public:
    /// Run `frame` in `space` on the executing CPU until it enters the kernel again (arch::run_user's
    /// contract: interrupts masked on entry and return, the frame updated to the user state, syscalls offered
    /// to `hook` first).
    virtual arch::UserExit run(arch::UserFrame& frame, arch::AddressSpaceRoot space,
                               const arch::SyscallHook* hook) = 0;

protected:
    ~UserRunner() = default;
};

} // namespace kernel
