// The fast path: ipc_call and ipc_reply_recv with untyped messages (no typed items; words beyond the three in
// registers go from UTCB to UTCB) when the partner is already waiting and nothing unusual is in the way. It
// does what the general path does in that case — same outcome, same state, checked by ipc.FastPath.* against
// the general path — with fewer checks and branches, and hands the CPU straight to the partner
// (Scheduler::hand_over) instead of going through the run queue. Any condition it does not cover sends the
// syscall to the general path before anything has changed.
#include "kernel/ipc/fastpath.hpp"

#include "kernel/cap/derivation.hpp"
#include "kernel/ipc/internal.hpp"
#include "kernel/ipc/ipc.hpp"
#include "kernel/kernel.hpp"
#include "kernel/obj/endpoint.hpp"
#include "kernel/obj/observer.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"

namespace kernel::ipc {

namespace spec = janus::abi;
namespace msg = janus::abi::msg;

namespace {

constexpr std::uint64_t call_number = static_cast<std::uint64_t>(spec::Syscall::ipc_call);
constexpr std::uint64_t reply_recv_number = static_cast<std::uint64_t>(spec::Syscall::ipc_reply_recv);

/// Untyped words only (at most max_words), no call flag, nothing reserved: the low 16 bits hold the word
/// count alone, and max_words lies below the first item bit.
bool untyped_message(std::uint64_t info) {
    static_assert(msg::max_words < (std::uint64_t{1} << msg::items_shift), "words and items share no bit");
    return (info & ~(~std::uint64_t{0} << msg::label_shift)) <= msg::max_words;
}

/// The endpoint capability `sel` with `right`, or nullptr.
Endpoint* endpoint(Thread& self, std::uint64_t sel, std::uint64_t right) {
    Slot* s = self.pd->space.cap(sel);
    if (!s || s->object()->type != ObjectType::endpoint || !(s->rights() & right)) return nullptr;
    return &as<Endpoint>(*s->object());
}

/// Ends `t`'s wait successfully: its result registers are written already.
void wake(Kernel& kernel, Thread& t) {
    if (SyscallObserver* o = syscall_observer(kernel))
        o->after_wakeup(kernel, t, arch::syscall_number(t.frame), Error::ok);
    arch::syscall_status(t.frame) = static_cast<std::uint64_t>(Error::ok);
    t.ipc.wait = Wait::none;
    t.ipc.call = false;
}

/// Writes the register part of a message (info, badge, words 0..2) into `to`'s result registers r0..r4; the
/// words come from the sender's arguments a3..a5 (ipc_call and ipc_reply_recv put them there).
void message_registers(Thread& to, std::uint64_t info, std::uint64_t badge, const arch::UserFrame& from) {
    unsigned words = msg::words(info);
    arch::syscall_result(to.frame, 0) = info;
    arch::syscall_result(to.frame, 1) = badge;
    arch::syscall_result(to.frame, 2) = words > 0 ? arch::syscall_arg(from, 3) : 0;
    arch::syscall_result(to.frame, 3) = words > 1 ? arch::syscall_arg(from, 4) : 0;
    arch::syscall_result(to.frame, 4) = words > 2 ? arch::syscall_arg(from, 5) : 0;
}

bool call(Kernel& kernel, Thread& self) {
    const arch::UserFrame& f = self.frame;
    const std::uint64_t info = arch::syscall_arg(f, 1);
    if (!untyped_message(info)) return false;
    Slot* cap = self.pd->space.cap(arch::syscall_arg(f, 0));
    if (!cap || cap->object()->type != ObjectType::endpoint || !(cap->rights() & spec::rights::write))
        return false;
    Endpoint& ep = as<Endpoint>(*cap->object());
    Thread* r = ep.receivers.first();
    if (!r) return false;
    Slot* reply_slot = r->pd->space.slot(utcb(*r).reply_sel);
    if (!reply_slot || !reply_slot->empty()) return false;

    // Everything checked: the receiver takes the message and the reply capability, the caller waits.
    ep.receivers.remove(*r);
    r->ipc.waiting_on = nullptr;
    kernel.sched.cancel_timeout(*r);
    self.ipc.origin = Origin::syscall; // a call of its own: its UTCB holds the words
    message_registers(*r, info | msg::call_flag, cap->badge(), f);
    if (msg::words(info) > msg::register_words) detail::copy_utcb_words(self, *r, msg::words(info));
    cap_install_root(*reply_slot, *self.reply, spec::rights::write);
    wake(kernel, *r);
    self.ipc.call = true;
    self.ipc.wait = Wait::reply;
    kernel.sched.hand_over(self, *r);
    return true;
}

bool reply_recv(Kernel& kernel, Thread& self) {
    const arch::UserFrame& f = self.frame;
    const std::uint64_t info = arch::syscall_arg(f, 1), timeout = arch::syscall_arg(f, 2);
    if (!untyped_message(info) || timeout == spec::timeout_poll) return false;
    Endpoint* ep = endpoint(self, arch::syscall_arg(f, 0), spec::rights::read);
    if (!ep || !ep->senders.empty()) return false;
    Slot* reply = self.pd->space.cap(utcb(self).reply_sel);
    if (!reply || reply->object()->type != ObjectType::reply) return false;
    Thread& caller = *as<Reply>(*reply->object()).owner;
    if (caller.ipc.origin != Origin::syscall) return false; // fault answers resume differently

    // The caller gets the answer; the reply capability is used up; self waits for the next message.
    message_registers(caller, info, 0, f);
    if (msg::words(info) > msg::register_words) detail::copy_utcb_words(self, caller, msg::words(info));
    wake(kernel, caller);
    cap_delete_subtree(*reply); // the caller no longer waits: nobody is cancelled
    self.ipc.wait = Wait::recv;
    ep->receivers.push_back(self);
    self.ipc.waiting_on = ep;
    if (timeout != spec::timeout_never)
        kernel.sched.arm_timeout(self, self.cpu, kernel.sched.deadline_after(timeout));
    kernel.sched.hand_over(self, caller);
    return true;
}

} // namespace

bool fastpath(Kernel& kernel, Thread& self) {
    bool taken = false;
    switch (arch::syscall_number(self.frame)) {
    case call_number:
        taken = call(kernel, self);
        if (taken) ipc_fastpath_served(kernel, true);
        break;
    case reply_recv_number:
        taken = reply_recv(kernel, self);
        if (taken) ipc_fastpath_served(kernel, false);
        break;
    default:
        return false;
    }
    return taken;
}

} // namespace kernel::ipc
