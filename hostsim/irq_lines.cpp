// arch/irq_lines.hpp on the host: see hostsim/irq_lines.hpp.
#include "hostsim/irq_lines.hpp"

#include "arch/irq_lines.hpp"
#include "hostsim/machine.hpp"

namespace hostsim {
namespace {

thread_local std::uint32_t unmasked = 0;
// Device lines (bit L for line L): the level a device drives, an edge seen while masked, a level line held
// back since it interrupted (until irq_line_end).
thread_local std::uint32_t level = 0, latched = 0, held = 0;

constexpr unsigned first_level_line = 16; // lines 16..23: level-triggered (PCI-style GSIs)

bool has(std::uint32_t set, unsigned line) {
    return (set >> line) & 1;
}

void interrupt(Machine& m, unsigned line) {
    m.raise_interrupt(0, arch::irq_line_vector_base + line);
}

/// What the controller does with a line's state on `m`: deliver what is due.
void service(Machine* m, unsigned line) {
    const std::uint32_t bit = std::uint32_t{1} << line;
    if (!m || !has(unmasked, line)) return;
    if (line < first_level_line) {
        if (!has(latched, line)) return;
        latched &= ~bit;
        interrupt(*m, line);
    } else if (has(level, line) && !has(held, line)) {
        held |= bit;
        interrupt(*m, line);
    }
}

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
    unmasked = level = latched = held = 0;
}

void set_irq_line_level(Machine& m, unsigned line, bool asserted) {
    if (line == arch::irq_line_timer || line >= arch::irq_line_count) return;
    const std::uint32_t bit = std::uint32_t{1} << line;
    const bool rising = asserted && !has(level, line);
    level = asserted ? level | bit : level & ~bit;
    if (line < first_level_line && rising) latched |= bit; // an edge: kept until the line is open
    service(&m, line);
}

bool irq_line_level(unsigned line) {
    return line < arch::irq_line_count && has(level, line);
}

} // namespace hostsim

namespace arch {

void irq_line_unmask(unsigned line) {
    if (line >= irq_line_count) return;
    hostsim::unmasked |= std::uint32_t{1} << line;
    hostsim::held &= ~(std::uint32_t{1} << line);
    hostsim::drive(line, true);
    hostsim::service(hostsim::Machine::current(), line);
}

void irq_line_mask(unsigned line) {
    if (line >= irq_line_count) return;
    hostsim::unmasked &= ~(std::uint32_t{1} << line);
    hostsim::held &= ~(std::uint32_t{1} << line);
    hostsim::drive(line, false);
}

// The periodic timer (line 0) and the ISA lines are edge-triggered: nothing is held back after a delivery. A
// level line is let go, and interrupts again if its device still asserts it.
void irq_line_end(unsigned line) {
    if (line >= irq_line_count || !hostsim::has(hostsim::held, line)) return;
    hostsim::held &= ~(std::uint32_t{1} << line);
    hostsim::service(hostsim::Machine::current(), line);
}

} // namespace arch
