// The kernel behind the per-CPU run loop (kernel/sched/cpu_loop.hpp): what each kernel entry means for
// threads, IPC and interrupts. A template over how user code runs (the UserMode policy), so bare metal
// (arch::run_user through kernel/boot_root's RootSession), hostsim with user code in an emulator, and tests
// whose threads are logical actors all share it; run_cpu() below is the entry each CPU calls.
//
// clang-format off
// UserMode policy:
//   arch::AddressSpaceRoot enter(Thread& t);              lock held: t is about to run on this CPU
//   arch::UserExit run(Thread& t, arch::UserFrame& f, arch::AddressSpaceRoot s);
//                                                         unlocked: run f in s until the next kernel entry
//                                                         (t only says whose frame it is: touch nothing of it)
//   bool exception(Thread& t, const arch::UserExit& e);   lock held: true if it took care of the exception
//   bool finished();                                      lock held: end the loop (tests; the kernel never does)
// clang-format on
//
// Registers: the loop copies a thread's frame to this CPU's frame before user mode and back after, under the
// lock; while user code runs, other CPUs see the thread's last saved frame and never write a running
// thread's. The extended registers (FPU, vector) go the same way between the thread's ExtendedState and the
// CPU's own registers: loaded with the frame, saved with it. A thread that died meanwhile is not saved (its
// page may be gone); the next load overwrites what it left in the registers.
#pragma once

#include "arch/user.hpp"
#include "kernel/ipc/ipc.hpp"
#include "kernel/obj/io_access.hpp"
#include "kernel/obj/kernel.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"
#include "kernel/sched/cpu_loop.hpp"
#include "kernel/sched/vectors.hpp"
#include "kernel/syscall/dispatch.hpp"

namespace kernel {

template <typename UserMode>
class KernelHost {
public:
    KernelHost(Kernel& kernel, UserMode& user) : kernel_(kernel), user_(user) {}

    Spinlock& lock() { return kernel_.lock; }
    sched::Scheduler& scheduler() { return kernel_.sched; }
    bool finished() { return user_.finished(); }

    void interrupt(arch::Vector v) {
        if (v >= sched::irq_vector_base && v < sched::irq_vector_base + Kernel::irq_lines)
            ipc::interrupt(kernel_, v - sched::irq_vector_base);
    }

    void expired(sched::Entity& e) { ipc::timed_out(kernel_, static_cast<Thread&>(e)); }

    void load(sched::Entity& e) {
        Thread& t = static_cast<Thread&>(e);
        frame_ = t.frame;
        arch::extended_state_load(*t.extended);
        space_ = user_.enter(t);
        // The CPU's port set needs no change while the epoch stands (every change to a port capability, and
        // so every io_shootdown, bumps it) and the domain is the same (io_switch looks further).
        if (t.pd != io_pd_ || kernel_.io.epoch != io_epoch_) io_switch(*t.pd);
        thread_ = &t;
    }

    arch::UserExit run() { return user_.run(*thread_, frame_, space_); }

    void handle(sched::Entity& e, const arch::UserExit& exit) {
        Thread& t = static_cast<Thread&>(e);
        t.frame = frame_;
        arch::extended_state_save(
            *t.extended); // no other thread ran here since load(): the registers are t's
        if (exit.kind == arch::UserExit::Kind::interrupt) return; // the loop handles the vector
        // Stopped (or otherwise taken off its CPU) while in user mode: what it was about to do is dropped; a
        // restart gives it a fresh ip and sp anyway.
        if (t.ipc.life != Life::active || t.run_state() != sched::RunState::running) return;
        if (exit.kind == arch::UserExit::Kind::syscall) {
            syscall_in_frame(t);
        } else if (!user_.exception(t, exit)) {
            ipc::exception(kernel_, t, exit);
        }
    }

private:
    /// Another domain or another epoch: select the domain's ports here unless the key selected here is
    /// already its (key 0, no port, for the domains of most threads). Out of line: the fast path is load's
    /// two compares.
    [[gnu::noinline]] void io_switch(Pd& pd) {
        const std::uint64_t epoch = kernel_.io.epoch;
        if (epoch != io_epoch_ || pd.io.epoch_seen != epoch || pd.io.key != io_key_) {
            io_enter(kernel_, pd);
            io_epoch_ = epoch;
            io_key_ = pd.io.key;
        }
        io_pd_ = &pd;
    }

    Kernel& kernel_;
    UserMode& user_;
    arch::UserFrame frame_{};
    arch::AddressSpaceRoot space_{};
    Thread* thread_ = nullptr;
    const Pd* io_pd_ = nullptr;  ///< whose port set io_enter last selected on this CPU ...
    std::uint64_t io_epoch_ = 0; ///< ... at this IoState::epoch ...
    std::uint64_t io_key_ = 0;   ///< ... and its key
};

/// This CPU's run loop over `kernel` with user code run by `user`.
template <typename UserMode>
void run_cpu(Kernel& kernel, UserMode& user) {
    KernelHost<UserMode> host(kernel, user);
    sched::cpu_loop(host);
}

} // namespace kernel
