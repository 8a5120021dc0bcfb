// What tests and the fuzzer attach to a Kernel in host builds (Kernel::test): the syscall observer, the IPC
// fast path's switch and its counters. The bare-metal Kernel has no such member, so none of it is in the
// image; kernel code reaches them only through kernel.hpp's ipc_fastpath_on, ipc_fastpath_served and
// syscall_observer, which are a constant, a no-op and nullptr there.
#pragma once

#include <cstdint>

namespace kernel {

struct SyscallObserver; // observer.hpp

struct TestHooks {
    /// Told about every syscall and every wait's end (tests and the fuzzer record and check through it).
    SyscallObserver* observer = nullptr;
    /// Untyped calls and reply_recvs take kernel/ipc/fastpath.cpp (tests turn it off to compare with the
    /// general path).
    bool ipc_fastpath = true;
    std::uint64_t ipc_fastpath_taken = 0; ///< how often it was (tests and the fuzz census check that it is)
    std::uint64_t ipc_fastpath_calls = 0; ///< of those, ipc_calls (the rest are ipc_reply_recvs)
};

} // namespace kernel
