// CPU exceptions in the kernel: every one of vectors 0-31 is reported with a register dump and stops the
// machine with ExitStatus::exception. Format (docs/boot.md):
//   EXCEPTION <vector> #<mnemonic> (<name>) on CPU <n>, error code 0x<e>
//   cr2 0x..                                        (page faults only)
//   rip 0x.. cs 0x.. rflags 0x.. rsp 0x.. ss 0x..
//   rax .. rbx .. rcx .. rdx ..  /  rsi .. rdi .. rbp .. r8 ..  /  r9 .. r12  /  r13 .. r15
#pragma once

#include <cstdint>

#include "kernel/lib/string_view.hpp"

namespace arch::x86 {

/// The stack as exception_stubs.S leaves it, lowest address first.
struct ExceptionFrame {
    std::uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    std::uint64_t vector, error_code;
    std::uint64_t rip, cs, rflags, rsp, ss; // pushed by the CPU
};
static_assert(sizeof(ExceptionFrame) == 22 * sizeof(std::uint64_t));

struct ExceptionName {
    kernel::StringView mnemonic; ///< "#PF"
    kernel::StringView name;     ///< "page fault"
};

ExceptionName exception_name(std::uint64_t vector);

} // namespace arch::x86

extern "C" [[noreturn]] void x86_exception(arch::x86::ExceptionFrame* frame);
