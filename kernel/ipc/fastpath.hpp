// The IPC fast path (kernel/ipc/fastpath.cpp), tried by the dispatcher before the general path.
#pragma once

namespace kernel {

class Kernel;
class Thread;

namespace ipc {

/// Performs the syscall in self.frame if it is a short ipc_call or ipc_reply_recv whose partner waits, and
/// returns true (the caller then waits; its outcome comes in its frame). Otherwise changes nothing and
/// returns false.
bool fastpath(Kernel& kernel, Thread& self);

} // namespace ipc
} // namespace kernel
