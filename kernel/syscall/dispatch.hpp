// The syscall dispatcher: decodes the registers per the ABI spec (kernel/abi/abi.def), runs the syscall under
// the big kernel lock, and writes status and results back.
#pragma once

#include <cstdint>

#include "kernel/kmem/object.hpp"
#include "kernel/syscall/regs.hpp"

namespace kernel {

class Thread;

/// Performs the syscall `caller` made with `regs` and updates `regs` with the outcome. Any register contents
/// are acceptable input: an unknown number gives bad_syscall, every argument is validated. Takes the kernel
/// lock. The registers pass through the thread's saved frame: a syscall that waits (IPC) leaves `regs` as
/// they were, and its outcome appears in caller.frame when the wait ends.
void syscall(Thread& caller, SyscallRegs& regs);

/// The run loop's entry: the syscall in caller.frame, with the kernel lock already held.
void syscall_in_frame(Thread& caller);

/// Whether the spec lets syscall `number` return `status` (ok always; bad_syscall exactly for unknown
/// numbers; otherwise the syscall's JANUS_SYSCALL_ERRORS list).
bool status_allowed(std::uint64_t number, Error status);

} // namespace kernel
