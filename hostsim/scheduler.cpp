// Machine: scheduling points and decisions.
//
// At a scheduling point the executing CPU parks and decide() picks what happens next: a CPU takes its pending
// step, or (TSO) a store buffer writes its oldest entry. Options are listed in canonical order — CPUs that
// can run, ascending, then non-empty store buffers, ascending — and the strategy is asked only when there are
// at least two; every such decision is recorded in the outcome's schedule.
//
// A strategy that observes steps (Strategy::observes_steps: the partial-order reduction, trace counting) is
// told what each CPU parks at (parked: the access its next step makes, access_of) and every step taken
// (stepped), decisions or not; it may stop the run there (a divergence saying it was pruned).
#include "hostsim/machine.hpp"
#include "hostsim/sanitizers.hpp"
#include "hostsim/schedule.hpp"
#include "hostsim/sim_cpu.hpp"
#include "hostsim/strategy.hpp"

namespace hostsim {

namespace {

// A CPU chosen now begins its step by taking a pending interrupt (schedule() delivers it when resumed).
bool runs_interrupt(const SimCpu& c) {
    return c.irq_enabled && c.has_pending();
}

const char* point_name(Machine::Point p) {
    switch (p) {
    case Machine::Point::load:
        return "load";
    case Machine::Point::store:
        return "store";
    case Machine::Point::rmw:
        return "rmw";
    case Machine::Point::fence:
        return "fence";
    case Machine::Point::preempt:
        return "preemption_point";
    case Machine::Point::relax:
        return "cpu_relax";
    case Machine::Point::ipi:
        return "ipi";
    case Machine::Point::tlb:
        return "tlb";
    case Machine::Point::wfi:
        return "wait_for_interrupt";
    case Machine::Point::ack_wait:
        return "wait for TLB shootdown acknowledgements";
    }
    return "?";
}

// What the step from this point does, for strategies that observe steps (Strategy::observes_steps): the
// atomic's granule for loads, stores and read-modify-writes; nothing for a fence or preemption point (no
// memory effect under sequential consistency); global for the rest, which act on more than one location or on
// other CPUs (spins and waits, IPIs, TLB accesses).
Access access_of(Machine::Point point, const volatile void* addr) {
    switch (point) {
    case Machine::Point::load:
        return Access::at(Access::Kind::read, addr);
    case Machine::Point::store:
    case Machine::Point::rmw:
        return Access::at(Access::Kind::write, addr);
    case Machine::Point::fence:
    case Machine::Point::preempt:
        return {Access::Kind::none, 0};
    default:
        return {};
    }
}

} // namespace

void Machine::schedule(Point point, const volatile void* addr) {
    san::Bookkeeping bookkeeping; // hostsim's own work: invisible to TSan (sanitizers.hpp)
    SimCpu& c = self();
    if (++outcome_.steps > config_.step_budget) [[unlikely]]
        fail(Verdict::livelock, "no end after " + std::to_string(config_.step_budget) +
                                    " scheduling points (step budget); cpu" + std::to_string(running_) +
                                    " was at a " + point_name(point));
    now_ += config_.ns_per_step;
    if (config_.time_budget && now_ > config_.time_budget) [[unlikely]]
        fail(Verdict::livelock, "no end after " + std::to_string(config_.time_budget / 1'000'000) +
                                    " ms of virtual time (time budget); cpu" + std::to_string(running_) +
                                    " was at a " + point_name(point));
    Strategy* const observer = strategy_ && strategy_->observes_steps() ? strategy_ : nullptr;
    if (observer) [[unlikely]] {
        // Outside what the reduction models, every step is global: x86-TSO (buffers, drains), armed timers
        // (virtual time counts steps, so reordering steps moves interrupts), devices and user mode (memory
        // and interrupts that no scheduling point announces).
        const bool global_mode = config_.tso || port_bus_ || user_mode_ || timers_due_ != ~0ull;
        observer->parked(Park{static_cast<unsigned>(running_),
                              global_mode ? Access{} : access_of(point, addr), current_ < 0, global_mode});
    }
    if (sole_runner(point)) {
        // decide() would offer this CPU alone and change nothing else: skip the search.
        ++outcome_.points;
        current_ = running_;
        const bool interrupted = runs_interrupt(c);
        if (observer && !observer->stepped(Choice::run_cpu(static_cast<unsigned>(running_)), interrupted))
            fail(Verdict::divergence, observer->divergence());
        if (interrupted) deliver_interrupts();
        return;
    }
    if (point == Point::relax || point == Point::ack_wait) {
        c.relax_stalled = c.relax_epoch == epoch_;
        c.relax_epoch = epoch_;
        c.at_relax = true;
        yielder_ = running_;
    } else if (point == Point::wfi && !c.irq_enabled && c.has_pending()) {
        // Something pending ends the wait even with interrupts masked, but a CPU that goes back to sleep
        // without anything having changed since it last woke so never takes it (cli; hlt): it waits like a
        // stalled spin, so that whoever waits for it ends as a deadlock, not at the step budget.
        c.relax_stalled = c.halt_epoch == epoch_;
        c.halt_epoch = c.relax_epoch = epoch_;
        c.at_relax = c.masked_halt = true;
    }
    c.state = point == Point::wfi && !c.has_pending() ? CpuState::blocked : CpuState::parked;
    int next = decide();
    yielder_ = -1;
    if (next != running_) transfer(next);
    c.state = CpuState::running;
    c.at_relax = c.masked_halt = false;
    if (runs_interrupt(c)) deliver_interrupts();
}

// True when the executing CPU is the only one with code left to run, no store buffer holds anything and no
// timer is due: decide() then has exactly one option, this CPU, and no strategy is asked. A spin or a wait
// still goes through decide(), which finds a lone spinner that nothing can wake (a deadlock). The common case
// is the single-CPU part of a scenario (setup, the final checks and teardown under Machine::run(code)).
bool Machine::sole_runner(Point point) const {
    if (point == Point::relax || point == Point::wfi || point == Point::ack_wait || unstarted_ ||
        live_coded_ != 1 || now_ >= timers_due_)
        return false;
    if (config_.tso)
        for (unsigned i = 0; i < config_.cpus; ++i)
            if (!cpus_[i].buffer.empty()) return false;
    return true;
}

bool Machine::runnable(const SimCpu& c) const {
    switch (c.state) {
    case CpuState::parked:
        // A spin loop that went round without any memory change waits for one (or for an interrupt).
        if (c.at_relax && c.relax_stalled && c.relax_epoch == epoch_) return c.irq_enabled && c.has_pending();
        return true;
    case CpuState::blocked:
        return c.has_pending();
    default:
        return false;
    }
}

int Machine::decide() {
    for (;;) {
        if (unstarted_) {
            for (unsigned i = 0; i < config_.cpus; ++i)
                if (cpu(static_cast<int>(i)).state == CpuState::unstarted) {
                    --unstarted_;
                    return static_cast<int>(i);
                }
        }
        if (now_ >= timers_due_) advance_timers(false);
        int current = current_;
        bool current_enabled = false;
        options_.clear();
        for (unsigned i = 0; i < config_.cpus; ++i) {
            if (static_cast<int>(i) == yielder_ || !runnable(cpu(static_cast<int>(i)))) continue;
            options_.push_back(Choice::run_cpu(i));
            if (static_cast<int>(i) == current) current_enabled = true;
        }
        if (config_.tso) // without store buffers, no drains (and no cache line of each CPU's buffer to touch)
            for (unsigned i = 0; i < config_.cpus; ++i)
                if (!cpu(static_cast<int>(i)).buffer.empty()) options_.push_back(Choice::drain_cpu(i));
        // A spinning CPU steps aside only if someone else can do something.
        if (options_.empty() && yielder_ >= 0 && runnable(cpu(yielder_))) {
            options_.push_back(Choice::run_cpu(static_cast<unsigned>(yielder_)));
            current_enabled = yielder_ == current;
        }
        if (options_.empty()) {
            if (live_coded_ == 0) return host_index();
            if (advance_timers(true)) continue;
            fail(Verdict::deadlock, deadlock_message()); // no string of this frame outlives the stop
        }
        std::size_t pick = 0;
        std::uint64_t point = outcome_.points++;
        const bool observed = strategy_ && strategy_->observes_steps();
        if (options_.size() > 1) {
            Decision d{options_, current, current_enabled, yielder_ >= 0 && yielder_ == current, point};
            if (observed)
                for (Choice o : options_)
                    if (o.kind == Choice::Kind::run && runs_interrupt(cpu(o.cpu)))
                        d.interrupting |= std::uint64_t{1} << entity(o);
            pick = strategy_ ? strategy_->pick(d) : default_pick(d);
            if (pick == Strategy::diverged) fail(Verdict::divergence, strategy_->divergence());
            if (pick >= options_.size()) fail(Verdict::divergence, "the strategy chose an impossible option");
            outcome_.schedule.push_back(options_[pick]);
            if (trace_)
                trace("decision %zu: %s  (of %s)", outcome_.schedule.size(),
                      encode_schedule({&options_[pick], 1}).c_str(), encode_schedule(options_).c_str());
        }
        Choice chosen = options_[pick];
        if (observed &&
            !strategy_->stepped(chosen, chosen.kind == Choice::Kind::run && runs_interrupt(cpu(chosen.cpu))))
            fail(Verdict::divergence, strategy_->divergence());
        if (chosen.kind == Choice::Kind::run) {
            current_ = chosen.cpu;
            return chosen.cpu;
        }
        drain_one(chosen.cpu);
    }
}

std::string Machine::deadlock_message() const {
    std::string who;
    for (unsigned i = 0; i < config_.cpus; ++i) {
        const SimCpu& c = cpus_[i];
        if (!c.coded || c.state == CpuState::finished) continue;
        who += std::string(who.empty() ? " cpu" : "; cpu") + std::to_string(i) +
               (c.state == CpuState::blocked ? " sleeps in wait_for_interrupt"
                : c.masked_halt   ? " sleeps in wait_for_interrupt without ever enabling interrupts"
                : c.awaiting_acks ? (c.awaiting_kind == CrossCpuRequest::Kind::tlb
                                         ? " waits for TLB shootdown acknowledgements from"
                                     : c.awaiting_kind == CrossCpuRequest::Kind::io_ports
                                         ? " waits for I/O-port shootdown acknowledgements from"
                                         : " waits for leave-user acknowledgements from")
                : c.at_relax      ? " spins with nothing changing"
                                  : " waits");
        for (unsigned t = 0; t < config_.cpus; ++t)
            if (c.awaiting_acks >> t & 1) who += " cpu" + std::to_string(t);
        if (!c.shootdowns.empty())
            who += c.irq_enabled ? " (a shootdown request pending)"
                                 : " with interrupts masked (a shootdown request pending)";
    }
    return "no CPU can make progress:" + who;
}

bool Machine::advance_timers(bool jump) {
    if (!jump && now_ < timers_due_) return false;
    if (jump) {
        std::uint64_t next = 0;
        for (unsigned i = 0; i < config_.cpus; ++i) {
            const SimCpu& c = cpu(static_cast<int>(i));
            if (c.timer_deadline && c.state != CpuState::finished && (!next || c.timer_deadline < next))
                next = c.timer_deadline;
        }
        if (periodic_period_ && (!next || periodic_next_ < next)) next = periodic_next_;
        if (!next) return false;
        if (next > now_) now_ = next;
    }
    bool fired = false;
    for (unsigned i = 0; i < config_.cpus; ++i) {
        SimCpu& c = cpu(static_cast<int>(i));
        if (!c.timer_deadline || c.timer_deadline > now_) continue;
        c.timer_deadline = 0;
        if (c.state == CpuState::finished) continue;
        post(i, c.timer_vector);
        fired = true;
    }
    if (periodic_period_ && periodic_next_ <= now_) {
        // Ticks that passed meanwhile collapse into this one; the next is the first after now.
        periodic_next_ = now_ + periodic_period_ - (now_ - periodic_next_) % periodic_period_;
        if (cpu(0).state != CpuState::finished) {
            post(0, periodic_vector_);
            fired = true;
        }
    }
    timers_due_ = periodic_period_ ? periodic_next_ : ~0ull;
    for (unsigned i = 0; i < config_.cpus; ++i) {
        const std::uint64_t deadline = cpu(static_cast<int>(i)).timer_deadline;
        if (deadline && deadline < timers_due_) timers_due_ = deadline;
    }
    return fired;
}

} // namespace hostsim
