// One CPU's pending timeouts, sorted by deadline (earliest first). Timeouts are few (threads blocked with a
// finite timeout), so a sorted list is simpler than a heap and costs O(n) only on insertion.
//
// A timeout lives on the queue of the CPU where its entity blocked (always the executing CPU, so the timer
// that fires it is armed locally); the entity may migrate meanwhile, its timeout stays put.
#pragma once

#include <cstdint>

#include "kernel/sched/entity.hpp"

namespace kernel::sched {

class TimeoutQueue {
public:
    constexpr TimeoutQueue() = default;
    TimeoutQueue(const TimeoutQueue&) = delete;
    TimeoutQueue& operator=(const TimeoutQueue&) = delete;

    /// Queues `e` (which has no timeout) to expire at `deadline`; `cpu` is this queue's CPU.
    void insert(Entity& e, std::uint64_t deadline, int cpu);
    /// Removes `e`'s timeout, which is on this queue.
    void remove(Entity& e);
    /// The earliest entity whose deadline is <= now, removed from the queue; nullptr if none.
    Entity* pop_expired(std::uint64_t now);

    bool empty() const { return head_ == nullptr; }
    /// The earliest deadline, or 0 when the queue is empty.
    std::uint64_t next_deadline() const { return head_ ? head_->deadline_ : 0; }
    Entity* first() const { return head_; }
    static Entity* next(const Entity& e) { return e.to_next_; }

private:
    Entity* head_ = nullptr;
};

} // namespace kernel::sched
