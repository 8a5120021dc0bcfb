#include "kernel/sched/pending_vectors.hpp"

#include "arch/cpu.hpp"
#include "kernel/sched/vectors.hpp"

namespace kernel::sched {

namespace {
arch::PerCpu<VectorSet> pending;
}

VectorSet& pending_vectors() {
    return pending.local();
}

void record_interrupt(arch::Vector vector) {
    pending.local().add(vector);
}

void send_kicks(std::uint64_t cpus) {
    while (cpus) {
        unsigned cpu = static_cast<unsigned>(__builtin_ctzll(cpus));
        cpus &= cpus - 1;
        arch::ipi_send(cpu, vector_resched);
    }
}

} // namespace kernel::sched
