// Synchronous IPC through endpoints, notifications, interrupt delivery and the ends of waits.
//
// Everything runs under the big kernel lock, on behalf of one thread that entered the kernel ("self") or of
// an event (a timeout, an interrupt, an object's death). A thread never blocks inside the kernel: waiting
// means its IPC state says so and the scheduler no longer runs it; whoever ends the wait writes the outcome
// into its saved frame (register layout in docs/ipc.md) and makes it ready again.
//
// Rendezvous rules (docs/ipc.md): endpoint queues are FIFO; a message whose typed items cannot be transferred
// is not delivered, its sender gets the error and the receiver goes on waiting; a call is answered through a
// one-shot reply capability put into the receiver's capability space at its UTCB's reply_sel; deleting that
// capability, the endpoint, the notification or stopping the waiter ends the wait with `cancelled`.
#pragma once

#include <cstdint>

#include "arch/user.hpp"
#include "kernel/abi/ipc.hpp"
#include "kernel/kmem/object.hpp"

namespace kernel {

class Kernel;
class Thread;
class Endpoint;
class Notification;
class Reply;
class Irq;
class Slot;

namespace ipc {

/// A syscall handler's status meaning "the outcome is in the caller's frame already, or will be put there
/// when its wait ends": the dispatcher writes nothing.
inline constexpr Error in_frame = static_cast<Error>(~std::uint64_t{0});

/// The kernel's view of t's UTCB page (message words beyond the registers, typed items, receive windows).
janus::abi::Utcb& utcb(Thread& t);

/// Checks the message self.ipc describes (info word, typed items against the sender's own space) before any
/// rendezvous: bad_message, bad_selector, missing_rights; ok if it could be sent.
Error check_message(Thread& self);

// --- Operations of the thread that entered the kernel (its message is in self.ipc)
/// Send (or call) through `ep` with the badge of the capability used.
Error send(Kernel& kernel, Thread& self, Endpoint& ep, std::uint64_t badge, bool call, std::uint64_t timeout);
/// Receive from `ep`; a call's reply capability goes to the UTCB's reply_sel (checked here).
Error receive(Kernel& kernel, Thread& self, Endpoint& ep, std::uint64_t timeout);
/// Answer the call whose reply capability is `reply_cap` (a reply capability with write).
Error reply(Kernel& kernel, Thread& self, Slot& reply_cap);
Error wait(Kernel& kernel, Thread& self, Notification& n, std::uint64_t timeout);
void signal(Kernel& kernel, Notification& n, std::uint64_t bits);

// --- Events
/// `t`'s timeout passed (the scheduler already dropped it).
void timed_out(Kernel& kernel, Thread& t);
/// Interrupt line `line` fired.
void interrupt(Kernel& kernel, unsigned line);
/// irq_ack: the line may be delivered again.
void acknowledge(Kernel& kernel, Irq& irq);
/// Makes the arch layer's masking of `line` follow its irq object (arch/irq_lines.hpp): unmasked exactly
/// while the line's irq is bound to a notification. Called after every change of that: irq_bind, an irq's
/// death.
void sync_irq_line(Kernel& kernel, unsigned line);
/// The same for every line: after a notification died, whichever irqs were bound to it are unbound.
void sync_irq_lines(Kernel& kernel);
/// A CPU exception of user thread `t` (its frame saved): to its pager (page faults), else to its exception
/// handler, else the thread stops.
void exception(Kernel& kernel, Thread& t, const arch::UserExit& exit);

// --- Thread life
/// Starts an inactive or stopped thread at ip/sp; false if it is active.
bool start(Kernel& kernel, Thread& t, std::uint64_t ip, std::uint64_t sp);
/// Stops `t`, ending any wait of it with `cancelled`.
void stop(Kernel& kernel, Thread& t);

// --- Deaths (kernel/lifecycle/lifetime.cpp, and last_cap.cpp for the capability layer)
void endpoint_dying(Kernel& kernel, Endpoint& ep);
void notification_dying(Kernel& kernel, Notification& n);
void thread_dying(Kernel& kernel, Thread& t);
/// The last capability to `reply` went: a caller still waiting for that reply gets `cancelled`.
void reply_cap_deleted(Reply& reply);

} // namespace ipc
} // namespace kernel
