// The interrupt vectors the kernel chooses (arch/ipi.hpp leaves them to it). On x86-64 vectors below 0x20 are
// CPU exceptions; device lines sit right above them, the kernel's own vectors at the top.
#pragma once

#include "arch/ipi.hpp"
#include "arch/irq_lines.hpp"

namespace kernel::sched {

/// Interrupt line L (0 .. janus::abi::irq_lines - 1) arrives as vector irq_vector_base + L: the interrupt
/// controller decides that, so the arch contract (arch/irq_lines.hpp) names the base.
inline constexpr arch::Vector irq_vector_base = arch::irq_line_vector_base;
/// The per-CPU one-shot timer: a slice ended or a timeout is due.
inline constexpr arch::Vector vector_timer = 0xf0;
/// Another CPU changed what this one should run (kernel/sched/scheduler.hpp, "kicks").
inline constexpr arch::Vector vector_resched = 0xf1;

static_assert(irq_vector_base + arch::irq_line_count <= vector_timer,
              "device lines below the kernel's vectors");

} // namespace kernel::sched
