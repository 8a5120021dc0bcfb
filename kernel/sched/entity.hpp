// The scheduler's part of a thread. kernel::Thread derives from Entity, so the scheduler links threads into
// its queues without knowing anything else about them (and its tests use bare Entities).
//
// Invariants (checked by kernel/check): state == ready exactly when the entity is on the run queue of CPU
// `cpu`; state == running exactly when it is the current entity of CPU `cpu`; an entity with a timeout is on
// exactly one CPU's timeout queue (`timeout_cpu`), independently of its run state.
#pragma once

#include <cstdint>

namespace kernel::sched {

/// 0..255; a higher number runs first.
using Priority = std::uint8_t;
inline constexpr unsigned priority_levels = 256;

enum class RunState : std::uint8_t {
    off,     ///< not schedulable: never started, stopped, or blocked in IPC
    ready,   ///< on its CPU's run queue
    running, ///< the current entity of its CPU
};

class Entity {
public:
    Entity() = default;
    Entity(const Entity&) = delete;
    Entity& operator=(const Entity&) = delete;

    RunState run_state() const { return state_; }
    Priority priority() const { return priority_; }
    /// The CPU it runs on (affinity).
    std::uint32_t cpu() const { return cpu_; }
    /// Nanoseconds left of its current timeslice (0: it gets a fresh one when next picked).
    std::uint64_t slice_left() const { return slice_left_; }

    bool has_timeout() const { return timeout_cpu_ >= 0; }
    std::uint64_t deadline() const { return deadline_; }
    int timeout_cpu() const { return timeout_cpu_; }

    /// Set before the entity first becomes schedulable; later changes go through Scheduler.
    void init_sched(Priority priority, std::uint32_t cpu) {
        priority_ = priority;
        cpu_ = cpu;
    }

private:
    friend class RunQueue;
    friend class TimeoutQueue;
    friend class Scheduler;

    Entity* rq_next_ = nullptr; ///< run queue: circular list per priority level
    Entity* rq_prev_ = nullptr;
    Entity* to_next_ = nullptr; ///< timeout queue: sorted by deadline
    Entity* to_prev_ = nullptr;
    std::uint64_t slice_left_ = 0;
    std::uint64_t deadline_ = 0;
    std::uint32_t cpu_ = 0;
    int timeout_cpu_ = -1;
    Priority priority_ = 0;
    RunState state_ = RunState::off;
};

} // namespace kernel::sched
