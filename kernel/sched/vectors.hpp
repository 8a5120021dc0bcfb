// The interrupt vectors the kernel chooses (arch/ipi.hpp leaves them to it). On x86-64 vectors below 0x20 are
// CPU exceptions; device lines sit right above them, the kernel's own vectors at the top.
#pragma once

#include "arch/ipi.hpp"

namespace kernel::sched {

/// Interrupt line L (0 .. janus::abi::irq_lines - 1) arrives as vector irq_vector_base + L.
inline constexpr arch::Vector irq_vector_base = 0x20;
/// The per-CPU one-shot timer: a slice ended or a timeout is due.
inline constexpr arch::Vector vector_timer = 0xf0;
/// Another CPU changed what this one should run (kernel/sched/scheduler.hpp, "kicks").
inline constexpr arch::Vector vector_resched = 0xf1;

} // namespace kernel::sched
