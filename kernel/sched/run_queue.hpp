// One CPU's ready entities: a FIFO per priority level and a bitmap of the non-empty levels, so the highest
// ready priority is found with a few bit scans however many entities wait.
//
// Invariant: bit p of the bitmap is set exactly when level p's list is non-empty. Each level is a circular
// doubly linked list through Entity::rq_next_/rq_prev_; head_[p] is its first entity.
#pragma once

#include <cstdint>

#include "kernel/sched/entity.hpp"

namespace kernel::sched {

class RunQueue {
public:
    constexpr RunQueue() = default;
    RunQueue(const RunQueue&) = delete;
    RunQueue& operator=(const RunQueue&) = delete;

    /// Appends `e` (on no queue) at the tail of its priority level.
    void push_back(Entity& e);
    /// Puts `e` (on no queue) at the head of its level: a preempted entity resumes before its equals.
    void push_front(Entity& e);
    /// Removes `e`, which is on this queue.
    void remove(Entity& e);

    bool empty() const { return summary_ == 0; }
    /// The highest non-empty priority level, or -1 if the queue is empty.
    int top_priority() const {
        if (summary_ == 0) return -1;
        const unsigned w = 31 - static_cast<unsigned>(__builtin_clz(summary_));
        return static_cast<int>(w * 64 + 63 - static_cast<unsigned>(__builtin_clzll(bitmap_[w])));
    }
    /// The first entity of the highest level, or nullptr.
    Entity* top() const;
    /// The first entity at `level`, or nullptr.
    Entity* first(Priority level) const { return head_[level]; }
    /// The entity after `e` on its level (cyclic: the last one's successor is the first).
    static Entity* next(const Entity& e) { return e.rq_next_; }

private:
    static constexpr unsigned words = priority_levels / 64;

    void link(Entity& e, bool at_front);

    std::uint64_t bitmap_[words] = {};
    /// Bit w set exactly while bitmap_[w] is not 0: the highest priority is two bit scans away.
    std::uint32_t summary_ = 0;
    Entity* head_[priority_levels] = {};
};

} // namespace kernel::sched
