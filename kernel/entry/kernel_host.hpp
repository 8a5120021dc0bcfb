// The kernel behind the per-CPU run loop (kernel/sched/cpu_loop.hpp): what each kernel entry means for
// threads, IPC and interrupts. A template over how user code runs (the UserMode policy), so bare metal
// (arch::run_user through kernel/boot_root's RootSession), hostsim with user code in an emulator, and tests
// whose threads are logical actors all share it; run_cpu() below is the entry each CPU calls.
//
// clang-format off
// UserMode policy:
//   arch::AddressSpaceRoot enter(Thread& t);              lock held: t is about to run on this CPU
//   arch::UserExit run(Thread& t, arch::UserFrame& f, arch::AddressSpaceRoot s, const arch::SyscallHook* h);
//                                                         unlocked: run f in s until the next kernel entry,
//                                                         offering syscalls to h (may ignore it: tests)
//                                                         (f is t's own frame; touch nothing else of t)
//   bool exception(Thread& t, const arch::UserExit& e);   lock held: true if it took care of the exception
//   bool finished();                                      lock held: end the loop (tests; the kernel never does)
// clang-format on
//
// Registers: user code runs from the thread's own frame (Thread::frame) in place: the CPU's entry path writes
// the user state into it, the kernel reads the syscall from it and writes the results there, and nothing is
// copied. While a thread is loaded on a CPU that CPU may write its frame at any time without the lock (an
// interrupt or syscall entry), so the kernel rewrites or frees the frame of a thread loaded elsewhere only
// after Scheduler::unload/forget and arch::leave_user (kernel/ipc/waits.cpp). The extended registers (FPU,
// vector) go between the thread's ExtendedState and the CPU's own registers: loaded when the thread comes to
// the CPU and saved when it leaves, not at each kernel entry. A thread that died meanwhile is not saved (its
// page may be gone); the next load overwrites what it left in the registers.
#pragma once

#include "arch/user.hpp"
#include "kernel/ipc/ipc.hpp"
#include "kernel/kernel.hpp"
#include "kernel/obj/io_access.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"
#include "kernel/sched/cpu_loop.hpp"
#include "kernel/sched/vectors.hpp"
#include "kernel/syscall/dispatch.hpp"

namespace kernel {

template <typename UserMode>
class KernelHost {
public:
    /// Made on the CPU whose loop it serves.
    KernelHost(Kernel& kernel, UserMode& user)
        : kernel_(kernel), user_(user), cpu_(arch::cpu_id()), pending_(sched::pending_vectors()) {}

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
        arch::extended_state_load(*t.extended);
        space_ = user_.enter(t);
        // The CPU's port set needs no change while the epoch stands (every change to a port capability, and
        // so every io_shootdown, bumps it) and the domain's key is the one selected here (io_switch looks
        // further).
        if (t.pd->io.key != io_key_ || kernel_.io.epoch != io_epoch_ || t.pd->io.epoch_seen != io_epoch_)
            io_switch(*t.pd);
        thread_ = &t;
    }

    /// No other thread ran here since load(): the extended registers are e's.
    void save(sched::Entity& e) { arch::extended_state_save(*static_cast<Thread&>(e).extended); }

    /// Runs the loaded thread; its syscalls are offered to syscall_resumes() first (arch::SyscallHook).
    arch::UserExit run(std::uint64_t decided) {
        decided_ = decided;
        return user_.run(*thread_, thread_->frame, space_, &hook_);
    }

    void handle(sched::Entity& e, const arch::UserExit& exit) {
        Thread& t = static_cast<Thread&>(e);
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
    static bool resume_hook(void* host) { return static_cast<KernelHost*>(host)->syscall_resumes(); }

    /// The syscall the loaded thread just made, served from inside run_user (the loop's own entry, steps
    /// and checks, without leaving user mode's frame): true when the decision that runs the thread stands
    /// (cpu_loop.hpp: the scheduler's version unmoved, nothing recorded) and the lock is released again;
    /// false with the lock held, stamped and billed, and the syscall served if the thread was still loaded:
    /// run_user returns syscall_done and the loop goes on from there.
    bool syscall_resumes() {
        sched::lock_kernel(kernel_.lock);
        sched::Scheduler& s = kernel_.sched;
        s.set_now(arch::time_now());
        s.charge(cpu_);
        Thread& t = *thread_;
        if (s.loaded(cpu_) != &t) return false; // unloaded meanwhile: the loop drops it
        handle(t, arch::UserExit{arch::UserExit::Kind::syscall, 0, 0, 0});
        if (!sched::decision_stands(s, decided_, pending_) || user_.finished()) return false;
        kernel_.lock.unlock();
        return true;
    }

    /// Another key or another epoch: select the domain's ports here (its key 0, no port, is the case of most
    /// threads). Out of line: the fast path is load's three compares.
    [[gnu::noinline]] void io_switch(Pd& pd) {
        const std::uint64_t epoch = kernel_.io.epoch;
        if (epoch != io_epoch_ || pd.io.epoch_seen != epoch || pd.io.key != io_key_) {
            io_enter(kernel_.io, pd);
            io_epoch_ = epoch;
            io_key_ = pd.io.key;
        }
    }

    Kernel& kernel_;
    UserMode& user_;
    const std::uint32_t cpu_;
    sched::VectorSet& pending_; ///< this CPU's recorded interrupts
    const arch::SyscallHook hook_{&resume_hook, this};
    std::uint64_t decided_ = 0; ///< the scheduler's version the current run of thread_ was decided at
    arch::AddressSpaceRoot space_{};
    Thread* thread_ = nullptr;
    std::uint64_t io_epoch_ = 0; ///< the IoState::epoch at which io_enter last selected a set here ...
    std::uint64_t io_key_ = 0;   ///< ... and that set's key
};

/// This CPU's run loop over `kernel` with user code run by `user`.
template <typename UserMode>
void run_cpu(Kernel& kernel, UserMode& user) {
    KernelHost<UserMode> host(kernel, user);
    sched::cpu_loop(host);
}

} // namespace kernel
