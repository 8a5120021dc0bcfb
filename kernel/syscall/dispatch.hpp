// The syscall dispatcher: decodes the registers per the ABI spec (kernel/abi/abi.def), runs the syscall under
// the big kernel lock, and writes status and results back.
#pragma once

#include <cstdint>

#include "kernel/obj/object.hpp"
#include "kernel/syscall/regs.hpp"

namespace kernel {

class Thread;

/// Performs the syscall `caller` made with `regs` and updates `regs` with the outcome. Any register contents
/// are acceptable input: an unknown number gives bad_syscall, every argument is validated.
void syscall(Thread& caller, SyscallRegs& regs);

/// Whether the spec lets syscall `number` return `status` (ok always; bad_syscall exactly for unknown
/// numbers; otherwise the syscall's JANUS_SYSCALL_ERRORS list).
bool status_allowed(std::uint64_t number, Error status);

} // namespace kernel
