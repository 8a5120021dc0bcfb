// arch/irq_lines.hpp on the host: see hostsim/irq_lines.hpp.
#include "hostsim/irq_lines.hpp"

#include "arch/irq_lines.hpp"
#include "hostsim/machine.hpp"

namespace hostsim {
namespace {

thread_local std::uint32_t unmasked = 0;

constexpr std::uint64_t timer_period_ns = 1'000'000'000 / arch::irq_line_timer_hz;

/// Starts or stops the device behind `line` on the executing machine, if there is one.
void drive(unsigned line, bool on) {
    Machine* m = Machine::current();
    if (!m || line != arch::irq_line_timer) return; // no other line has a source
    m->set_periodic_interrupt(on ? timer_period_ns : 0, arch::irq_line_vector_base + line);
}

} // namespace

std::uint32_t irq_lines_unmasked() {
    return unmasked;
}

void reset_irq_lines() {
    unmasked = 0;
}

} // namespace hostsim

namespace arch {

void irq_line_unmask(unsigned line) {
    if (line >= irq_line_count) return;
    hostsim::unmasked |= std::uint32_t{1} << line;
    hostsim::drive(line, true);
}

void irq_line_mask(unsigned line) {
    if (line >= irq_line_count) return;
    hostsim::unmasked &= ~(std::uint32_t{1} << line);
    hostsim::drive(line, false);
}

// hostsim's one source (the periodic timer on line 0) is edge-like: nothing is held back after a delivery.
void irq_line_end(unsigned) {}

} // namespace arch
