// The registers a syscall reads and writes, per the ABI's x86-64 convention (kernel/abi/abi.hpp): number in
// rax; arguments a0..a5 in rdi, rsi, rdx, r10, r8, r9; status back in rax; results r0..r2 in rdi, rsi, rdx,
// written only on success (otherwise those registers keep what user space put there).
//
// The arch entry path saves user registers into its own frame and hands the kernel this view; IPC adds the
// message registers it needs next to it.
#pragma once

#include <cstdint>

namespace kernel {

struct SyscallRegs {
    std::uint64_t rax = 0;
    std::uint64_t rdi = 0;
    std::uint64_t rsi = 0;
    std::uint64_t rdx = 0;
    std::uint64_t r10 = 0;
    std::uint64_t r8 = 0;
    std::uint64_t r9 = 0;
};

} // namespace kernel
