// The per-CPU run loop: the only place a CPU leaves the kernel for user mode and the place every kernel entry
// comes back to. The kernel has one stack per CPU and never blocks inside a kernel call (arch/user.hpp): a
// blocked thread is a saved register frame plus IPC state, so this loop is all the "context switching" there
// is. Bare metal and hostsim run the same loop; what differs is behind the Host policy.
//
//     lock; loop { stamp time; handle interrupts; bill the slice; fire due timeouts;
//                  pick -> kick other CPUs -> arm the timer (only if the next event changed);
//                  nothing to run: unlock, wait for an interrupt, lock;
//                  else: load registers, then { unlock, run user code, lock, stamp time, bill, handle its
//                  exit }
//                        again at once while it was a syscall after which the thread simply goes on }
//
// "Simply goes on" (Scheduler::goes_on, plus: no interrupt recorded, no other CPU to kick, the timer still
// armed for the next event) is exactly when the decisions at the top would pick the same thread, fire
// nothing, kick nobody and leave the timer alone, so skipping them changes nothing but the cost of a syscall.
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
//   void load(Entity& e);                      // copy e's registers to this CPU's frame
//   arch::UserExit run();                      // unlocked: run that frame in user mode until it enters
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

template <typename Host>
void cpu_loop(Host& host) {
    const std::uint32_t cpu = arch::cpu_id();
    Scheduler& s = host.scheduler();
    Spinlock& lock = host.lock();
    arch::irq_disable();
    arch::set_interrupt_handler(record_interrupt);
    pending_vectors() = VectorSet{};
    // The deadline the one-shot timer is armed with, so that a decision that leaves the next event where it
    // was costs no re-arming (on x86 a TSC-deadline MSR write, a VM exit under a hypervisor). The timer
    // disarms itself when it fires, so its interrupt makes this unknown again (never_armed can be no
    // deadline).
    constexpr std::uint64_t never_armed = ~std::uint64_t{0};
    std::uint64_t armed = never_armed;
    lock_kernel(lock);
    for (;;) {
        s.set_now(arch::time_now());
        for (VectorSet& pending = pending_vectors(); !pending.empty();) {
            arch::Vector v = pending.take();
            if (v == vector_timer) armed = never_armed;
            if (v != vector_timer && v != vector_resched) host.interrupt(v);
        }
        s.charge(cpu);
        while (Entity* e = s.pop_expired(cpu)) host.expired(*e);
        if (host.finished()) break;

        Entity* next = s.pick(cpu);
        send_kicks(s.take_kicks(cpu));
        if (const std::uint64_t next_event = s.next_event(cpu); next_event != armed) {
            arch::timer_arm(next_event, vector_timer);
            armed = next_event;
        }
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
        for (;;) {
            lock.unlock();
            arch::UserExit exit = host.run();
            lock_kernel(lock);
            s.set_now(arch::time_now());
            s.charge(cpu);
            if (exit.kind == arch::UserExit::Kind::interrupt) pending_vectors().add(exit.vector);
            // forget() clears `loaded` when the entity died meanwhile: its registers have nowhere to go.
            if (s.loaded(cpu) != next) break;
            host.handle(*next, exit);
            if (exit.kind != arch::UserExit::Kind::syscall || !pending_vectors().empty() ||
                s.pending_kicks() != 0 || !s.goes_on(cpu, *next) || s.next_event(cpu) != armed ||
                s.loaded(cpu) != next || host.finished())
                break;
            host.load(*next); // the frame the syscall's results went to
        }
        s.set_loaded(cpu, nullptr);
    }
    arch::timer_arm(0, vector_timer);
    lock.unlock();
}

} // namespace kernel::sched
