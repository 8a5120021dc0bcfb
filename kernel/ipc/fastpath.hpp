// The IPC fast path (kernel/ipc/fastpath.cpp), tried by the dispatcher before the general path.
#pragma once

#include <cstdint>

#include "kernel/abi/abi.hpp"

namespace kernel {

class Kernel;
class Thread;

namespace ipc {

/// Performs the syscall in self.frame if it is an ipc_call or ipc_reply_recv with an untyped message whose
/// partner waits, and
/// returns true (the caller then waits; its outcome comes in its frame). Otherwise changes nothing and
/// returns false.
bool fastpath(Kernel& kernel, Thread& self);

/// Whether syscall `number` is one fastpath() may take: checked inline first, so every other syscall pays a
/// comparison, not a call.
inline bool fastpath_candidate(std::uint64_t number) {
    return number == static_cast<std::uint64_t>(janus::abi::Syscall::ipc_call) ||
           number == static_cast<std::uint64_t>(janus::abi::Syscall::ipc_reply_recv);
}

} // namespace ipc
} // namespace kernel
