// Helpers shared by the IPC implementation files; not for use outside kernel/ipc.
#pragma once

#include <cstdint>

#include "kernel/abi/ipc.hpp"
#include "kernel/kmem/object.hpp"
#include "kernel/obj/ipc_state.hpp"

namespace kernel {

class Kernel;
class Thread;

namespace ipc::detail {

/// `t` (not waiting) waits for `what`, on `queue` of `on` if given, ending at the latest after `timeout` ns
/// (never for timeout_never; a queue-less wait, for a reply, has no timeout).
void block(Kernel& kernel, Thread& t, Wait what, IpcQueue* queue, Object* on, std::uint64_t timeout);

/// Ends `t`'s wait (or, for the thread that entered the kernel, its syscall) with `status`. A syscall gets
/// the status in rax (results were written before); a fault message that failed stops the thread.
void complete(Kernel& kernel, Thread& t, Error status);

/// Takes `t` off the queue it waits on, if any, and drops its timeout; its wait state stays.
void leave_queue(Kernel& kernel, Thread& t);

/// The result registers of a receive (or of the answer to a call): info, badge, words 0..2. rax (the status)
/// is written by complete(), or by the operation itself when it finishes at once.
/// Words 3 and up of a message into the receiver's UTCB: from the sender's UTCB, or word 3 of a kernel-made
/// message (the sender's origin says which). The fast path and the general path both copy through it.
void copy_utcb_words(Thread& sender, Thread& receiver, unsigned words);

void write_receive_registers(Thread& r, std::uint64_t info, std::uint64_t badge, const std::uint64_t* words);

/// Moves the message of `sender` (its IPC state, UTCB and typed items) to `receiver`, all or nothing. If the
/// sender calls, a reply capability goes to the receiver's reply_sel when that slot is free; `reply_given`
/// says whether it did. On failure nothing changed and the error is the sender's.
Error deliver(Kernel& kernel, Thread& sender, Thread& receiver, bool& reply_given);

/// Moves the reply of `replier` (message in its IPC state) to `caller`, which waits for it. All or nothing.
Error deliver_reply(Kernel& kernel, Thread& replier, Thread& caller);

} // namespace ipc::detail
} // namespace kernel
