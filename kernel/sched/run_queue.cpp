#include "kernel/sched/run_queue.hpp"

namespace kernel::sched {

void RunQueue::link(Entity& e, bool at_front) {
    Priority p = e.priority_;
    Entity*& head = head_[p];
    if (!head) {
        e.rq_next_ = e.rq_prev_ = &e;
        head = &e;
        bitmap_[p / 64] |= std::uint64_t{1} << (p % 64);
        summary_ |= 1u << (p / 64);
        return;
    }
    // Inserting before the head is appending at the tail of a circular list; moving the head onto the new
    // entity makes it the first instead.
    Entity* tail = head->rq_prev_;
    e.rq_next_ = head;
    e.rq_prev_ = tail;
    tail->rq_next_ = &e;
    head->rq_prev_ = &e;
    if (at_front) head = &e;
}

void RunQueue::push_back(Entity& e) {
    link(e, false);
}

void RunQueue::push_front(Entity& e) {
    link(e, true);
}

void RunQueue::remove(Entity& e) {
    Priority p = e.priority_;
    Entity*& head = head_[p];
    if (e.rq_next_ == &e) {
        head = nullptr;
        bitmap_[p / 64] &= ~(std::uint64_t{1} << (p % 64));
        if (bitmap_[p / 64] == 0) summary_ &= ~(1u << (p / 64));
    } else {
        e.rq_prev_->rq_next_ = e.rq_next_;
        e.rq_next_->rq_prev_ = e.rq_prev_;
        if (head == &e) head = e.rq_next_;
    }
    e.rq_next_ = e.rq_prev_ = nullptr;
}

Entity* RunQueue::top() const {
    int p = top_priority();
    return p < 0 ? nullptr : head_[p];
}

} // namespace kernel::sched
