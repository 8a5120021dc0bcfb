// The registers a syscall reads and writes, per the ABI's x86-64 convention (kernel/abi/abi.hpp): number in
// rax; arguments a0..a5 in rdi, rsi, rdx, r10, r8, r9; status back in rax; results r0..r5 in rdi, rsi, rdx,
// r10, r8, r9, written only on success (otherwise those registers keep what user space put there).
//
// The kernel keeps them in the thread's saved frame (arch::UserFrame); this struct is the view that tests,
// the fuzzer and kernel::syscall() pass around.
#pragma once

#include <cstdint>

#include "arch/user.hpp"

namespace kernel {

struct SyscallRegs {
    std::uint64_t rax = 0;
    std::uint64_t rdi = 0;
    std::uint64_t rsi = 0;
    std::uint64_t rdx = 0;
    std::uint64_t r10 = 0;
    std::uint64_t r8 = 0;
    std::uint64_t r9 = 0;

    /// The registers of a syscall in `f`, read through the ABI accessor (arch/user.hpp).
    static SyscallRegs of(const arch::UserFrame& f) {
        SyscallRegs r;
        r.rax = arch::syscall_number(f);
        for (unsigned i = 0; i < 6; ++i) r.*words[i] = arch::syscall_arg(f, i);
        return r;
    }
    /// Puts the number and arguments into `f` as user space would have left them.
    void enter(arch::UserFrame& f) const {
        arch::syscall_number(f) = rax;
        for (unsigned i = 0; i < 6; ++i) arch::syscall_arg(f, i) = this->*words[i];
    }

private:
    /// a0..a5 (and r0..r5) in this view, in the ABI's order.
    static constexpr std::uint64_t SyscallRegs::*words[6] = {&SyscallRegs::rdi, &SyscallRegs::rsi,
                                                             &SyscallRegs::rdx, &SyscallRegs::r10,
                                                             &SyscallRegs::r8,  &SyscallRegs::r9};
};

} // namespace kernel
