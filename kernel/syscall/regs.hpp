// The registers a syscall reads and writes, per the ABI's x86-64 convention (kernel/abi/abi.hpp): number in
// rax; arguments a0..a5 in rdi, rsi, rdx, r10, r8, r9; status back in rax; results r0..r5 in rdi, rsi, rdx,
// r10, r8, r9, written only on success (otherwise those registers keep what user space put there).
//
// The kernel keeps them in the thread's saved frame (arch::UserFrame); this struct is the view that tests,
// the fuzzer and kernel::syscall() pass around.
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
