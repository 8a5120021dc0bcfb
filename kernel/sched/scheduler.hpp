// The scheduler: per-CPU run queues with 256 fixed priorities, round-robin timeslices within a level, per-CPU
// timeout queues, and the decisions of each CPU's run loop (kernel/sched/cpu_loop.hpp).
//
// All of it is plain data under the big kernel lock (Kernel::lock): every call is made with the lock held, so
// no operation here needs an atomic. It never touches the machine either: a CPU that must re-decide (a
// higher-priority entity became ready on it, its running entity was stopped, moved or destroyed) is recorded
// as a "kick"; the run loop sends those IPIs (take_kicks) before it lets go of the lock, and tests read them.
// Time comes in the same way: the loop stamps each kernel entry with set_now().
//
// Policy: a CPU runs the highest-priority ready entity; equals share the CPU in timeslices, round robin. A
// preempted entity goes back to the head of its level and keeps the rest of its slice; one whose slice ran
// out (or that yields) goes to the tail with a fresh one. Entities run only on their own CPU (affinity);
// changing it migrates them at the next decision.
#pragma once

#include <cstdint>

#include "arch/cpu.hpp"
#include "kernel/sched/entity.hpp"
#include "kernel/sched/run_queue.hpp"
#include "kernel/sched/timeout_queue.hpp"

namespace kernel::sched {

class Scheduler {
public:
    static constexpr std::uint64_t default_timeslice = 10'000'000; ///< 10 ms

    constexpr Scheduler() = default;
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;

    /// CPUs 0 .. cpus-1 schedule (1 .. arch::max_cpus); each slice lasts `timeslice` ns (> 0).
    void init(unsigned cpus, std::uint64_t timeslice = default_timeslice);
    unsigned cpu_count() const { return cpu_count_; }
    std::uint64_t timeslice() const { return timeslice_; }

    // --- Time ----------------------------------------------------------------------------------------------
    /// The time of the latest kernel entry, in ns. Never goes backwards.
    std::uint64_t now() const { return now_; }
    void set_now(std::uint64_t t) {
        if (t > now_) now_ = t;
    }
    /// The deadline `timeout` ns from now, saturating (never 0 for timeout > 0).
    std::uint64_t deadline_after(std::uint64_t timeout) const;

    // --- Run states ----------------------------------------------------------------------------------------
    /// off -> ready on its CPU's run queue; kicks that CPU if it should run `e` instead of what it runs.
    void make_ready(Entity& e);
    /// ready or running -> off (it blocks or stops). A running entity leaves its CPU, which is kicked.
    void make_off(Entity& e);
    /// The running entity `e` gives up the rest of its slice: it goes behind its equals (no effect
    /// otherwise).
    void yield(Entity& e);
    void set_priority(Entity& e, Priority priority);
    /// Moves `e` to `cpu` (< cpu_count): at once if it waits, at its CPU's next decision if it runs.
    void set_cpu(Entity& e, std::uint32_t cpu);
    /// `e` is about to be destroyed: it leaves every queue and every CPU forgets it (its CPU is kicked).
    /// Returns the CPUs that had its registers loaded, as unload().
    [[nodiscard]] std::uint64_t forget(Entity& e);
    /// IPC hands the CPU over: `from` stops (off) and `to` (off) runs. If `from` is the current entity of the
    /// CPU `to` belongs to and nothing ready there outranks `to`, `to` takes the CPU at once without passing
    /// through the run queue (keeping its slice); otherwise this is make_off(from) then make_ready(to).
    void hand_over(Entity& from, Entity& to);

    // --- Timeouts ------------------------------------------------------------------------------------------
    /// `e` gets a timeout at `deadline` on `cpu`'s queue (the CPU it blocks on), replacing an earlier one.
    void arm_timeout(Entity& e, std::uint32_t cpu, std::uint64_t deadline);
    void cancel_timeout(Entity& e);
    /// The next entity on `cpu`'s queue whose deadline has passed (<= now()), its timeout removed; or
    /// nullptr.
    Entity* pop_expired(std::uint32_t cpu);

    // --- A CPU's decisions (its run loop) ------------------------------------------------------------------
    /// What `cpu` runs: its current entity if that may go on, otherwise the best ready one (or nullptr:
    /// idle).
    Entity* pick(std::uint32_t cpu);
    Entity* current(std::uint32_t cpu) const { return cpus_[cpu].current; }
    /// Whether pick(cpu) would return `e` and change nothing: `e` runs on `cpu` with some of its slice left,
    /// nothing ready there outranks it, and no timeout of `cpu` is due (<= now()). The run loop then lets a
    /// thread go on after a syscall without the decisions (cpu_loop.hpp).
    bool goes_on(std::uint32_t cpu, const Entity& e) const;
    /// Whether a timeout of `cpu` is due (<= now()): pop_expired would return it.
    bool timeout_due(std::uint32_t cpu) const {
        const std::uint64_t deadline = cpus_[cpu].timeouts.next_deadline();
        return deadline != 0 && deadline <= now_;
    }
    /// `cpu` enters user mode with current(cpu) now; charge() later bills the time since.
    void dispatched(std::uint32_t cpu);
    /// Bills the current entity of `cpu` for the time since dispatched(); a used-up slice makes it rotate.
    void charge(std::uint32_t cpu) {
        Cpu& c = cpus_[cpu];
        Entity* cur = c.current;
        if (!cur) return;
        const std::uint64_t ran = now_ - c.dispatched_at;
        cur->slice_left_ -= ran < cur->slice_left_ ? ran : cur->slice_left_;
        c.dispatched_at = now_;
    }
    /// When `cpu` must next be interrupted: the end of its current slice or its earliest timeout, whichever
    /// is first; 0 if neither.
    std::uint64_t next_event(std::uint32_t cpu) const;

    /// The entity whose user registers `cpu` holds (set by the run loop around entering user mode), cleared
    /// by forget(): the loop saves registers back only into an entity that still exists.
    Entity* loaded(std::uint32_t cpu) const { return cpus_[cpu].loaded; }
    void set_loaded(std::uint32_t cpu, Entity* e) { cpus_[cpu].loaded = e; }
    /// Someone gives `e` new registers (or destroys it) while a CPU may still hold its old ones in user mode:
    /// that CPU must not save them back (it forgets `e`, and is kicked to stop running it). Returns those
    /// CPUs: their entry path may still write the frame they run from until they leave user mode
    /// (arch::leave_user).
    [[nodiscard]] std::uint64_t unload(Entity& e);

    /// Moves with every call that may change a decision: run states, queues, current and loaded entities,
    /// timeouts (not with time or billing). While it stands, a CPU's last decision stands but for time, and
    /// time is the timer's business: the run loop lets an entity go on after a syscall without looking
    /// further when it has not moved since the decision (cpu_loop.hpp).
    std::uint64_t version() const { return version_; }

    /// CPUs other than `self` that must re-decide, cleared by the call: the caller sends each an IPI.
    std::uint64_t take_kicks(std::uint32_t self);
    std::uint64_t pending_kicks() const { return kicks_; }

    // --- Inspection (invariant checker, tests) -------------------------------------------------------------
    const RunQueue& run_queue(std::uint32_t cpu) const { return cpus_[cpu].ready; }
    const TimeoutQueue& timeouts(std::uint32_t cpu) const { return cpus_[cpu].timeouts; }

private:
    struct Cpu {
        RunQueue ready;
        TimeoutQueue timeouts;
        Entity* current = nullptr;
        Entity* loaded = nullptr;
        std::uint64_t dispatched_at = 0;
    };

    void kick(std::uint32_t cpu) { kicks_ |= std::uint64_t{1} << cpu; }
    void changed() { ++version_; }
    /// Whether `cpu` should stop running its current entity in favour of priority `p`.
    bool preempts(std::uint32_t cpu, Priority p) const;
    /// The running entity of `cpu` stops running (state unchanged by this).
    void unseat(Cpu& c) { c.current = nullptr; }

    Cpu cpus_[arch::max_cpus];
    unsigned cpu_count_ = 1;
    std::uint64_t timeslice_ = default_timeslice;
    std::uint64_t now_ = 0;
    std::uint64_t kicks_ = 0;
    std::uint64_t version_ = 0;
};

// Inline: the run loop asks these after every syscall that changed something.

inline bool Scheduler::goes_on(std::uint32_t cpu, const Entity& e) const {
    const Cpu& c = cpus_[cpu];
    if (c.current != &e || e.cpu_ != cpu || e.state_ != RunState::running || e.slice_left_ == 0) return false;
    if (c.ready.top_priority() > static_cast<int>(e.priority_)) return false;
    return !timeout_due(cpu);
}

inline std::uint64_t Scheduler::next_event(std::uint32_t cpu) const {
    const Cpu& c = cpus_[cpu];
    std::uint64_t event = c.timeouts.next_deadline();
    if (const Entity* cur = c.current) {
        std::uint64_t slice_end = c.dispatched_at + cur->slice_left_;
        if (slice_end < c.dispatched_at) slice_end = ~std::uint64_t{0};
        if (event == 0 || slice_end < event) event = slice_end;
    }
    return event;
}

} // namespace kernel::sched
