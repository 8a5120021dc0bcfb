// Rendezvous at endpoints: send, call, receive and reply.
#include "kernel/cap/derivation.hpp"
#include "kernel/ipc/internal.hpp"
#include "kernel/ipc/ipc.hpp"
#include "kernel/kernel.hpp"
#include "kernel/obj/endpoint.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"

namespace kernel::ipc {

using namespace detail;
using enum janus::abi::Error;

namespace {

/// After its message was delivered: a sender that sent is done, a caller waits for the reply if the receiver
/// got a reply capability (and is cancelled if not).
Error after_delivery(Kernel& kernel, Thread& sender, bool reply_given) {
    if (!sender.ipc.call) {
        complete(kernel, sender, ok);
        return ok;
    }
    if (!reply_given) {
        complete(kernel, sender, cancelled);
        return cancelled;
    }
    leave_queue(kernel, sender);
    sender.ipc.wait = Wait::none;
    block(kernel, sender, Wait::reply, nullptr, nullptr, janus::abi::timeout_never);
    return in_frame;
}

} // namespace

Error send(Kernel& kernel, Thread& self, Endpoint& ep, std::uint64_t badge, bool call,
           std::uint64_t timeout) {
    self.ipc.badge = badge;
    self.ipc.call = call;
    if (Thread* receiver = ep.receivers.first()) {
        bool reply_given = false;
        if (Error e = deliver(kernel, self, *receiver, reply_given); e != ok) {
            self.ipc.call = false;
            return e; // the receiver goes on waiting
        }
        complete(kernel, *receiver, ok);
        Error outcome = after_delivery(kernel, self, reply_given);
        // The sender's own syscall: ok and cancelled are reported by the dispatcher like any status.
        return outcome;
    }
    if (timeout == janus::abi::timeout_poll) {
        self.ipc.call = false;
        return would_block;
    }
    block(kernel, self, Wait::send, &ep.senders, &ep, timeout);
    return in_frame;
}

Error receive(Kernel& kernel, Thread& self, Endpoint& ep, std::uint64_t timeout) {
    std::uint64_t reply_sel = utcb(self).reply_sel;
    if (reply_sel) {
        Slot* slot = self.pd->space.slot(reply_sel);
        if (!slot) return bad_selector;
        if (!slot->empty()) return slot_occupied;
    }
    while (Thread* sender = ep.senders.first()) {
        bool reply_given = false;
        Error e = deliver(kernel, *sender, self, reply_given);
        if (e != ok) {
            complete(kernel, *sender, e); // its message cannot be delivered: its error, next sender
            continue;
        }
        after_delivery(kernel, *sender, reply_given);
        arch::syscall_status(self.frame) = static_cast<std::uint64_t>(ok);
        return in_frame; // deliver() wrote self's result registers
    }
    if (timeout == janus::abi::timeout_poll) return would_block;
    block(kernel, self, Wait::recv, &ep.receivers, &ep, timeout);
    return in_frame;
}

Error reply(Kernel& kernel, Thread& self, Slot& reply_cap) {
    Thread& caller = *as<Reply>(*reply_cap.object()).owner;
    // A reply capability exists only while its caller waits for the answer (ipc_state.hpp).
    if (Error e = deliver_reply(kernel, self, caller); e != ok) return e;
    complete(kernel, caller, ok);
    cap_delete_subtree(reply_cap); // one-shot; the caller no longer waits, so nobody is cancelled
    return ok;
}

} // namespace kernel::ipc
