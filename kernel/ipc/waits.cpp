// Beginning and ending waits: blocking, completion, timeouts, stopping and starting threads, and what the
// deaths of endpoints, notifications, threads and reply capabilities do to those waiting on them.
#include "arch/user.hpp"
#include "kernel/cap/derivation.hpp"
#include "kernel/ipc/internal.hpp"
#include "kernel/ipc/ipc.hpp"
#include "kernel/kernel.hpp"
#include "kernel/lib/print.hpp"
#include "kernel/obj/endpoint.hpp"
#include "kernel/obj/observer.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"
#include "kernel/sched/vectors.hpp"

namespace kernel::ipc {

using namespace detail;
using janus::abi::Utcb;

namespace {

/// The CPUs in `cpus` (which had a thread's registers loaded) stop running ring 3 from its frame.
void leave_user(std::uint64_t cpus) {
    if (cpus) arch::leave_user(arch::CpuMask{cpus}, sched::vector_resched);
}

} // namespace

Utcb& utcb(Thread& t) {
    return *static_cast<Utcb*>(t.utcb_page);
}

namespace detail {

void block(Kernel& kernel, Thread& t, Wait what, IpcQueue* queue, Object* on, std::uint64_t timeout) {
    t.ipc.wait = what;
    if (queue) {
        queue->push_back(t);
        t.ipc.waiting_on = on;
        if (timeout != janus::abi::timeout_never)
            kernel.sched.arm_timeout(t, t.cpu, kernel.sched.deadline_after(timeout));
    }
    kernel.sched.make_off(t);
}

void leave_queue(Kernel& kernel, Thread& t) {
    if (t.ipc.queue) t.ipc.queue->remove(t);
    t.ipc.waiting_on = nullptr;
    kernel.sched.cancel_timeout(t);
}

void complete(Kernel& kernel, Thread& t, Error status) {
    leave_queue(kernel, t);
    Wait was = t.ipc.wait;
    t.ipc.wait = Wait::none;
    t.ipc.call = false;
    if (t.ipc.origin == Origin::syscall) {
        // The status register still holds the syscall number of a thread that waited: the observer learns how
        // it ended.
        if (SyscallObserver* o = syscall_observer(kernel); o && was != Wait::none)
            o->after_wakeup(kernel, t, arch::syscall_number(t.frame), status);
        arch::syscall_status(t.frame) = static_cast<std::uint64_t>(status);
    } else {
        bool ok = status == Error::ok;
        t.ipc.origin = Origin::syscall;
        if (!ok) {
            println("janus: thread ", hex(reinterpret_cast<std::uintptr_t>(&t)),
                    " stopped: its fault message was not answered at ip ", hex(arch::user_ip(t.frame)));
            t.ipc.life = Life::stopped;
        }
    }
    (void)was;
    if (t.ipc.life != Life::active)
        kernel.sched.make_off(t);
    else if (t.run_state() == sched::RunState::off)
        kernel.sched.make_ready(t);
}

void write_receive_registers(Thread& r, std::uint64_t info, std::uint64_t badge, const std::uint64_t* words) {
    arch::syscall_result(r.frame, 0) = info;
    arch::syscall_result(r.frame, 1) = badge;
    arch::syscall_result(r.frame, 2) = words[0];
    arch::syscall_result(r.frame, 3) = words[1];
    arch::syscall_result(r.frame, 4) = words[2];
}

} // namespace detail

void timed_out(Kernel& kernel, Thread& t) {
    if (t.ipc.wait == Wait::send || t.ipc.wait == Wait::recv || t.ipc.wait == Wait::notify)
        complete(kernel, t, Error::timeout);
}

bool start(Kernel& kernel, Thread& t, std::uint64_t ip, std::uint64_t sp) {
    if (t.ipc.life == Life::active) return false;
    // A thread that was never started can still wait if a test drives it as an actor: end that first.
    if (t.ipc.wait != Wait::none) stop(kernel, t);
    // Stopped while in user mode on some CPU: its old registers must not come back, and that CPU runs ring 3
    // from this very frame until it leaves.
    leave_user(kernel.sched.unload(t));
    t.frame = arch::UserFrame{};
    arch::user_ip(t.frame) = ip;
    arch::user_sp(t.frame) = sp;
    arch::extended_state_init(*t.extended); // every register fresh, the FPU and vector ones too
    t.ipc.life = Life::active;
    t.ipc.origin = Origin::syscall;
    if (t.run_state() == sched::RunState::off) kernel.sched.make_ready(t);
    return true;
}

void stop(Kernel& kernel, Thread& t) {
    if (t.ipc.wait == Wait::reply) {
        // Whoever holds its reply capability can no longer answer.
        t.ipc.wait = Wait::none;
        if (Slot* cap = t.reply->caps) cap_delete_subtree(*cap);
    }
    t.ipc.life = Life::stopped;
    if (t.ipc.wait != Wait::none) complete(kernel, t, Error::cancelled);
    t.ipc.origin = Origin::syscall;
    kernel.sched.make_off(t);
}

namespace {

void cancel_all(Kernel& kernel, IpcQueue& queue) {
    while (Thread* t = queue.first()) {
        if (t->doomed) {
            // Dies in the same operation: only unlink it.
            leave_queue(kernel, *t);
            t->ipc.wait = Wait::none;
        } else {
            complete(kernel, *t, Error::cancelled);
        }
    }
}

} // namespace

void endpoint_dying(Kernel& kernel, Endpoint& ep) {
    cancel_all(kernel, ep.senders);
    cancel_all(kernel, ep.receivers);
}

void notification_dying(Kernel& kernel, Notification& n) {
    cancel_all(kernel, n.waiters);
}

void thread_dying(Kernel& kernel, Thread& t) {
    leave_queue(kernel, t);
    t.ipc.wait = Wait::none;
    leave_user(kernel.sched.forget(t)); // before its frame's memory goes
}

void reply_cap_deleted(Reply& reply) {
    Thread& caller = *reply.owner;
    if (caller.doomed || caller.ipc.wait != Wait::reply) return;
    complete(*caller.pd->kernel, caller, Error::cancelled);
}

} // namespace kernel::ipc
