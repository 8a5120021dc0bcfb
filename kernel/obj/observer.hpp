// A hook host builds attach to a Kernel (Kernel::test.observer, test_hooks.hpp), told about every syscall
// after it ran, still under the kernel lock. Tests record which (syscall, error) pairs they reached and run
// the invariant checker through it, the fuzzer does the same. Bare metal has none (syscall_observer is
// nullptr).
#pragma once

#include <cstdint>

#include "kernel/kmem/object.hpp"

namespace kernel {

class Kernel;
class Thread;
struct SyscallRegs; // kernel/syscall/regs.hpp; an observer that reads them includes it

struct SyscallObserver {
    /// `in` are the registers as user space passed them, `out` as the kernel leaves them.
    virtual void after_syscall(Kernel& kernel, Thread& caller, const SyscallRegs& in, const SyscallRegs& out,
                               Error status) = 0;
    /// A thread whose syscall `number` waited (kernel/ipc) got its final `status` from someone else's action.
    virtual void after_wakeup(Kernel& kernel, Thread& thread, std::uint64_t number, Error status) {
        (void)kernel, (void)thread, (void)number, (void)status;
    }

protected:
    ~SyscallObserver() = default;
};

} // namespace kernel
