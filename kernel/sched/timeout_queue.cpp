#include "kernel/sched/timeout_queue.hpp"

namespace kernel::sched {

void TimeoutQueue::insert(Entity& e, std::uint64_t deadline, int cpu) {
    e.deadline_ = deadline;
    e.timeout_cpu_ = cpu;
    // After every entity with a deadline <= ours: equal deadlines expire in insertion order.
    Entity* prev = nullptr;
    Entity* at = head_;
    while (at && at->deadline_ <= deadline) {
        prev = at;
        at = at->to_next_;
    }
    e.to_prev_ = prev;
    e.to_next_ = at;
    if (prev)
        prev->to_next_ = &e;
    else
        head_ = &e;
    if (at) at->to_prev_ = &e;
}

void TimeoutQueue::remove(Entity& e) {
    if (e.to_prev_)
        e.to_prev_->to_next_ = e.to_next_;
    else
        head_ = e.to_next_;
    if (e.to_next_) e.to_next_->to_prev_ = e.to_prev_;
    e.to_prev_ = e.to_next_ = nullptr;
    e.timeout_cpu_ = -1;
    e.deadline_ = 0;
}

Entity* TimeoutQueue::pop_expired(std::uint64_t now) {
    Entity* e = head_;
    if (!e || e->deadline_ > now) return nullptr;
    remove(*e);
    return e;
}

} // namespace kernel::sched
