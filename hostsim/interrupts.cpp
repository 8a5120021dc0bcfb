// Machine: interrupt masking, IPIs, the per-CPU timer, the periodic device interrupt and waiting for
// interrupts.
#include "hostsim/machine.hpp"
#include "hostsim/sanitizers.hpp"
#include "hostsim/sim_cpu.hpp"

namespace hostsim {

bool Machine::irq_enabled() const {
    return cpus_[running_].irq_enabled;
}

std::uint64_t Machine::interrupts_taken() const {
    return cpus_[running_].interrupts_taken;
}

unsigned Machine::last_interrupt() const {
    return cpus_[running_].last_vector;
}

bool Machine::set_irq_enabled(bool enabled) {
    SimCpu& c = self();
    bool old = c.irq_enabled;
    c.irq_enabled = enabled;
    if (enabled && !old) deliver_interrupts();
    return old;
}

void Machine::wait_for_interrupt() {
    if (trace_) trace_event("wait_for_interrupt");
    schedule(Point::wfi);
    if (trace_) trace_event("wait_for_interrupt returns");
}

void Machine::send_ipi(arch::CpuId target, unsigned vector) {
    if (target >= config_.cpus || vector > 255) {
        if (in_run_ && running_ != host_index())
            fail(Verdict::check_failed, "IPI to cpu" + std::to_string(target) + " vector " +
                                            std::to_string(vector) + " on a machine with " +
                                            std::to_string(config_.cpus) + " CPUs");
        return;
    }
    if (in_run_ && running_ != host_index()) schedule(Point::ipi);
    if (trace_) trace("  cpu%d  ipi   vector %u to cpu%u", running_, vector, target);
    post(target, vector);
}

void Machine::arm_timer(std::uint64_t deadline, unsigned vector) {
    SimCpu& c = self();
    c.timer_deadline = deadline;
    c.timer_vector = vector & 255;
    if (deadline && deadline < timers_due_) timers_due_ = deadline;
}

void Machine::set_periodic_interrupt(std::uint64_t period, unsigned vector) {
    periodic_period_ = period;
    periodic_next_ = now_ + period;
    periodic_vector_ = vector & 255;
    if (period && periodic_next_ < timers_due_) timers_due_ = periodic_next_;
}

void Machine::raise_interrupt(arch::CpuId target, unsigned vector) {
    if (target >= config_.cpus || vector > 255) return;
    if (trace_ && in_run_) trace("  cpu%d  device interrupt vector %u to cpu%u", running_, vector, target);
    post(target, vector);
}

void Machine::post(unsigned target, unsigned vector) {
    SimCpu& t = cpu(static_cast<int>(target));
    t.pending[vector / 64] |= std::uint64_t{1} << (vector % 64);
    ++epoch_; // a spinning CPU may be waiting for exactly this
    // A halted CPU without code wakes up to handle it.
    if (in_run_ && t.state == CpuState::off) prepare_fiber(static_cast<int>(target));
}

std::optional<unsigned> Machine::take_pending(SimCpu& c) {
    for (unsigned w = 4; w-- > 0;) // the highest vector first, as the local APIC delivers
        if (c.pending[w]) {
            unsigned bit = 63 - static_cast<unsigned>(__builtin_clzll(c.pending[w]));
            c.pending[w] &= ~(std::uint64_t{1} << bit);
            return w * 64 + bit;
        }
    return std::nullopt;
}

void Machine::deliver_interrupts() {
    SimCpu& c = self();
    while (c.irq_enabled && c.has_pending()) {
        if (!c.shootdowns.empty()) { // the arch layer's own vector, above the kernel's: taken first
            acknowledge_shootdowns(static_cast<unsigned>(running_));
            continue;
        }
        unsigned vector = *take_pending(c);
        if (!handler_)
            fail(Verdict::check_failed, "interrupt vector " + std::to_string(vector) + " on cpu" +
                                            std::to_string(running_) + " but no interrupt handler is set");
        if (trace_) trace("  cpu%d  interrupt vector %u", running_, vector);
        c.irq_enabled = false; // interrupt gate
        ++c.interrupts_taken;
        c.last_vector = vector;
        {
            san::SimulatedCode kernel; // the kernel's handler is seen by TSan, even from a scheduling point
            handler_(vector);
        }
        c.irq_enabled = true; // iret
    }
}

} // namespace hostsim
