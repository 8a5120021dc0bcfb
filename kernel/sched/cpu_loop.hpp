// The per-CPU run loop: the only place a CPU leaves the kernel for user mode and the place every kernel entry
// comes back to. The kernel has one stack per CPU and never blocks inside a kernel call (arch/user.hpp): a
// blocked thread is a saved register frame plus IPC state, so this loop is all the "context switching" there
// is. Bare metal and hostsim run the same loop; what differs is behind the Host policy.
//
//     lock; loop { stamp time; handle interrupts; bill the slice; fire due timeouts;
//                  pick -> kick other CPUs -> arm the timer (only if the next event is earlier than armed);
//                  nothing to run: unlock, wait for an interrupt, lock;
//                  else: load registers, then { unlock, run user code, lock, stamp time, bill, handle its
//                  exit }
//                        again at once while it was a syscall after which the CPU's current entity simply
//                        goes on: the caller itself, the one IPC handed the CPU to, or the one pick chooses
//                        when the caller blocked (loaded in its place); also at once after a device
//                        interrupt, served right there, that woke nobody }
//
// "Simply goes on" (Scheduler::goes_on, plus: no interrupt recorded, no other CPU to kick, the timer armed
// no later than the next event) is exactly when the decisions at the top would pick that entity, fire
// nothing, kick nobody and leave the timer alone, so skipping them changes nothing but the cost of a syscall.
// Cheaper still when the scheduler's version has not moved since the decision: then only time can have
// changed it, and the timer (armed no later than the next event) interrupts the next run at once if so.
// An entity's registers stay in the CPU while it goes on: they are saved (host.save) only when it leaves.
//
// The big kernel lock is held everywhere but in user mode and while idle. Interrupts stay masked in the
// kernel; those taken while idle are recorded (pending_vectors.hpp) and handled here under the lock like
// those that end a user-mode run. The loop returns when host.finished() says so (tests); the kernel's never
// does.
//
// Host policy (all but run() are called with the lock held):
//   kernel::Spinlock& lock();  Scheduler& scheduler();  bool finished();
//   void interrupt(arch::Vector v);            // a device line's vector (the kernel's own are handled here)
//   void expired(Entity& e);                   // e's timeout passed: end its wait
//   void load(Entity& e);                      // make e's registers this CPU's (frame and extended state)
//   void save(Entity& e);                      // e, loaded and still alive, leaves this CPU: keep what of
//                                              // its registers the CPU holds
//   arch::UserExit run(std::uint64_t decided); // unlocked: run that frame in user mode until it enters
//                                              // (syscall_done: the host served a syscall itself, under
//                                              // the lock it now holds, and saw the scheduler's version
//                                              // move from `decided` or an interrupt recorded)
//   void handle(Entity& e, const arch::UserExit& exit);  // e still exists: save its registers, then serve a
//                                              // syscall or exception (not called for interrupt exits'
//                                              // vectors, which go to interrupt())
#pragma once

#include "arch/cpu.hpp"
#include "arch/timer.hpp"
#include "arch/user.hpp"
#include "kernel/lib/spinlock.hpp"
#include "kernel/sched/pending_vectors.hpp"
#include "kernel/sched/scheduler.hpp"
#include "kernel/sched/vectors.hpp"

namespace kernel::sched {

/// Takes the big kernel lock. While it waits, interrupts are open: a CPU that holds the lock may be waiting
/// for this one to acknowledge a TLB shootdown (arch/tlb.hpp), which happens in the interrupt handler;
/// anything else that arrives meanwhile is recorded for the loop.
inline void lock_kernel(Spinlock& lock) {
    while (!lock.try_lock()) {
        arch::irq_enable();
        arch::cpu_relax();
        arch::irq_disable();
    }
}

/// The timer is armed with a deadline at or before the next event, and re-armed only when the next event
/// moves earlier than that: one that fires early finds nothing due, and the decision after it arms the right
/// deadline. IPC that hands a CPU from one thread to another (whose slices end at different times) so costs
/// no timer write, at the price of at most one early interrupt per slice. 0 (no event) is "never".
class TimerDeadline {
public:
    /// Whether `next_event` needs the timer armed anew.
    bool needs(std::uint64_t next_event) const { return !known_ || never(next_event) < armed_; }
    /// Arms the timer for `next_event` if it needs it.
    void arm(std::uint64_t next_event) {
        if (!needs(next_event)) return;
        arch::timer_arm(next_event, vector_timer);
        set(next_event);
    }
    /// After timer_arm(next_event).
    void set(std::uint64_t next_event) {
        armed_ = never(next_event);
        known_ = true;
    }
    /// It fired (the timer disarms itself): what it holds is unknown.
    void fired() { known_ = false; }

private:
    static std::uint64_t never(std::uint64_t event) { return event == 0 ? ~std::uint64_t{0} : event; }
    std::uint64_t armed_ = 0;
    bool known_ = false;
};

/// After a syscall (lock held): nothing changed that the decision at scheduler version `decided` rests on, so
/// it stands. A slice or timeout that ran out meanwhile has the timer's interrupt pending, which ends the
/// next run at once. The loop and KernelHost's syscall hook both go back to user mode at once on it.
inline bool decision_stands(const Scheduler& s, std::uint64_t decided, const VectorSet& pending) {
    return s.version() == decided && pending.empty();
}

/// After a user run ended by interrupt `v` (lock held, `v` recorded in `pending`): when `v` is a device's
/// vector and the only one recorded, serves it here, as the decisions would first thing, and returns true;
/// the caller then goes back to user mode at once if that changed nothing (decision_stands). The timer's and
/// the resched vector always go to the decisions: they mean a slice, a timeout or another CPU wants one.
template <typename Host>
bool serve_alone(Host& host, VectorSet& pending, arch::Vector v) {
    if (v == vector_timer || v == vector_resched || !pending.only(v)) return false;
    pending = VectorSet{};
    host.interrupt(v);
    return true;
}

template <typename Host>
void cpu_loop(Host& host) {
    const std::uint32_t cpu = arch::cpu_id();
    const std::uint64_t others = ~(std::uint64_t{1} << cpu); // a kick of this CPU is what the checks below do
    Scheduler& s = host.scheduler();
    Spinlock& lock = host.lock();
    VectorSet& pending = pending_vectors();
    arch::irq_disable();
    arch::set_interrupt_handler(record_interrupt);
    pending = VectorSet{};
    TimerDeadline timer;
    lock_kernel(lock);
    for (;;) {
        s.set_now(arch::time_now());
        while (!pending.empty()) {
            arch::Vector v = pending.take();
            if (v == vector_timer) timer.fired();
            if (v != vector_timer && v != vector_resched) host.interrupt(v);
        }
        s.charge(cpu);
        while (Entity* e = s.pop_expired(cpu)) host.expired(*e);
        if (host.finished()) break;

        Entity* next = s.pick(cpu);
        send_kicks(s.take_kicks(cpu));
        timer.arm(s.next_event(cpu));
        if (!next) {
            lock.unlock();
            // Interrupts stay masked until the wait: one that arrives in between stays pending and ends it at
            // once. On x86 the wait itself enables and takes it; hostsim takes it when interrupts are
            // enabled.
            arch::wait_for_interrupt();
            arch::irq_enable();
            arch::irq_disable();
            lock_kernel(lock);
            continue;
        }
        host.load(*next);
        s.set_loaded(cpu, next);
        s.dispatched(cpu);
        for (std::uint64_t decided = s.version();; decided = s.version()) {
            lock.unlock();
            arch::UserExit exit = host.run(decided);
            if (exit.kind == arch::UserExit::Kind::syscall_done) {
                // The host served it from inside run_user and did not resume: it holds the lock, the time is
                // stamped and billed.
                if (s.loaded(cpu) != next) break;
            } else {
                lock_kernel(lock);
                s.set_now(arch::time_now());
                s.charge(cpu);
                if (exit.kind == arch::UserExit::Kind::interrupt) pending.add(exit.vector);
                // forget() clears `loaded` when the entity died meanwhile: its registers have nowhere to go.
                if (s.loaded(cpu) != next) break;
                host.handle(*next, exit);
                if (exit.kind == arch::UserExit::Kind::syscall && decision_stands(s, decided, pending) &&
                    !host.finished())
                    continue;
                if (exit.kind == arch::UserExit::Kind::interrupt && serve_alone(host, pending, exit.vector) &&
                    decision_stands(s, decided, pending) && !host.finished())
                    continue; // a device interrupt that woke nobody: the thread goes on, as after a syscall
            }
            // After a syscall the CPU's current entity (the caller, or the one IPC handed the CPU to, or the
            // one pick chooses when the caller blocked) runs without the decisions at the top when they would
            // do nothing else: no interrupt or kick waits and no timeout is due; the timer is re-armed here
            // if the next event moved earlier.
            const bool syscall =
                exit.kind == arch::UserExit::Kind::syscall || exit.kind == arch::UserExit::Kind::syscall_done;
            if (!syscall || !pending.empty() || (s.pending_kicks() & others) != 0 || s.loaded(cpu) != next ||
                host.finished())
                break;
            // The caller blocked and handed the CPU to nobody: what the decisions would pick, unless a
            // timeout is due (they fire those first).
            Entity* cur = s.current(cpu);
            if (!cur && !s.timeout_due(cpu)) cur = s.pick(cpu);
            if (!cur || !s.goes_on(cpu, *cur)) break;
            timer.arm(s.next_event(cpu));
            if (cur != next) {
                host.save(*next);
                host.load(*cur);
                s.set_loaded(cpu, cur);
                next = cur;
            }
        }
        if (s.loaded(cpu) == next) host.save(*next);
        s.set_loaded(cpu, nullptr);
    }
    arch::timer_arm(0, vector_timer);
    lock.unlock();
}

} // namespace kernel::sched
