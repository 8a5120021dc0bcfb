#include "kernel/sched/scheduler.hpp"

#include "kernel/panic.hpp"

namespace kernel::sched {

void Scheduler::init(unsigned cpus, std::uint64_t timeslice) {
    JANUS_ASSERT(cpus >= 1 && cpus <= arch::max_cpus && timeslice > 0);
    cpu_count_ = cpus;
    timeslice_ = timeslice;
}

std::uint64_t Scheduler::deadline_after(std::uint64_t timeout) const {
    std::uint64_t d = now_ + timeout;
    return d < now_ ? ~std::uint64_t{0} : d;
}

bool Scheduler::preempts(std::uint32_t cpu, Priority p) const {
    const Entity* cur = cpus_[cpu].current;
    return !cur || p > cur->priority_;
}

void Scheduler::make_ready(Entity& e) {
    changed();
    JANUS_ASSERT(e.state_ == RunState::off && e.cpu_ < cpu_count_);
    e.state_ = RunState::ready;
    cpus_[e.cpu_].ready.push_back(e);
    if (preempts(e.cpu_, e.priority_)) kick(e.cpu_);
}

void Scheduler::make_off(Entity& e) {
    changed();
    Cpu& c = cpus_[e.cpu_];
    switch (e.state_) {
    case RunState::ready:
        c.ready.remove(e);
        break;
    case RunState::running:
        unseat(c);
        kick(e.cpu_);
        break;
    case RunState::off:
        return;
    }
    e.state_ = RunState::off;
}

void Scheduler::yield(Entity& e) {
    if (e.state_ != RunState::running) return;
    // pick() rotates a running entity with no slice left behind its equals, with a fresh slice. With no
    // equal (or better) ready on its CPU it would pick it again at once: give it the fresh slice here, so
    // that it simply goes on. That changes no decision (its slice only ends later, and a timer armed for the
    // old end fires early and finds nothing due): the version stands.
    if (cpus_[e.cpu_].current == &e && cpus_[e.cpu_].ready.top_priority() < static_cast<int>(e.priority_)) {
        charge(e.cpu_); // what the decision would bill first
        e.slice_left_ = timeslice_;
    } else {
        changed();
        e.slice_left_ = 0;
    }
}

void Scheduler::set_priority(Entity& e, Priority priority) {
    changed();
    switch (e.state_) {
    case RunState::off:
        e.priority_ = priority;
        return;
    case RunState::ready:
        cpus_[e.cpu_].ready.remove(e);
        e.priority_ = priority;
        e.state_ = RunState::off;
        make_ready(e);
        return;
    case RunState::running:
        e.priority_ = priority;
        if (cpus_[e.cpu_].ready.top_priority() > priority) kick(e.cpu_);
        return;
    }
}

void Scheduler::set_cpu(Entity& e, std::uint32_t cpu) {
    changed();
    JANUS_ASSERT(cpu < cpu_count_);
    switch (e.state_) {
    case RunState::off:
        e.cpu_ = cpu;
        return;
    case RunState::ready:
        cpus_[e.cpu_].ready.remove(e);
        e.cpu_ = cpu;
        e.state_ = RunState::off;
        make_ready(e);
        return;
    case RunState::running:
        // Its CPU notices at its next decision (pick) and hands it over.
        if (cpu != e.cpu_) kick(e.cpu_);
        e.cpu_ = cpu;
        return;
    }
}

std::uint64_t Scheduler::forget(Entity& e) {
    changed();
    cancel_timeout(e);
    if (e.state_ == RunState::running) {
        // A migrating entity still sits on the CPU it ran on: find it there.
        for (unsigned i = 0; i < cpu_count_; ++i)
            if (cpus_[i].current == &e) {
                unseat(cpus_[i]);
                kick(i);
            }
        e.state_ = RunState::off;
    } else {
        make_off(e);
    }
    return unload(e);
}

void Scheduler::hand_over(Entity& from, Entity& to) {
    changed();
    Cpu& c = cpus_[to.cpu_];
    if (c.current == &from && from.cpu_ == to.cpu_ && to.state_ == RunState::off &&
        c.ready.top_priority() <= static_cast<int>(to.priority_)) {
        from.state_ = RunState::off;
        to.state_ = RunState::running;
        if (to.slice_left_ == 0) to.slice_left_ = timeslice_;
        c.current = &to;
        return;
    }
    make_off(from);
    make_ready(to);
}

std::uint64_t Scheduler::unload(Entity& e) {
    std::uint64_t held = 0;
    for (unsigned i = 0; i < cpu_count_; ++i)
        if (cpus_[i].loaded == &e) {
            changed();
            cpus_[i].loaded = nullptr;
            kick(i);
            held |= std::uint64_t{1} << i;
        }
    return held;
}

void Scheduler::arm_timeout(Entity& e, std::uint32_t cpu, std::uint64_t deadline) {
    changed();
    cancel_timeout(e);
    cpus_[cpu].timeouts.insert(e, deadline, static_cast<int>(cpu));
}

void Scheduler::cancel_timeout(Entity& e) {
    if (e.timeout_cpu_ < 0) return;
    changed();
    cpus_[e.timeout_cpu_].timeouts.remove(e);
}

Entity* Scheduler::pop_expired(std::uint32_t cpu) {
    Entity* e = cpus_[cpu].timeouts.pop_expired(now_);
    if (e) changed();
    return e;
}

Entity* Scheduler::pick(std::uint32_t cpu) {
    changed();
    Cpu& c = cpus_[cpu];
    if (Entity* cur = c.current) {
        if (cur->cpu_ != cpu) {
            // Migrated while running: it continues on its new CPU.
            unseat(c);
            cur->state_ = RunState::off;
            make_ready(*cur);
        } else if (cur->slice_left_ == 0) {
            // Slice used up or yielded: behind its equals, with a fresh slice when picked again.
            unseat(c);
            cur->state_ = RunState::ready;
            c.ready.push_back(*cur);
        } else if (c.ready.top_priority() > cur->priority_) {
            // Preempted: first among its equals, keeping the rest of its slice.
            unseat(c);
            cur->state_ = RunState::ready;
            c.ready.push_front(*cur);
        } else {
            return cur;
        }
    }
    Entity* next = c.ready.top();
    if (!next) return nullptr;
    c.ready.remove(*next);
    next->state_ = RunState::running;
    if (next->slice_left_ == 0) next->slice_left_ = timeslice_;
    c.current = next;
    c.dispatched_at = now_;
    return next;
}

void Scheduler::dispatched(std::uint32_t cpu) {
    cpus_[cpu].dispatched_at = now_;
}

std::uint64_t Scheduler::take_kicks(std::uint32_t self) {
    std::uint64_t others = kicks_ & ~(std::uint64_t{1} << self);
    kicks_ = 0;
    return others;
}

} // namespace kernel::sched
