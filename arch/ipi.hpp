// Arch contract: interrupts between CPUs, and the kernel's entry for every interrupt.
#pragma once

#include <cstdint>

#include "arch/cpu.hpp"

namespace arch {

/// An interrupt vector, 0..255. The kernel chooses the vectors of its IPIs (on x86-64 from 0x38 up; lower
/// ones are CPU exceptions and device lines, arch/irq_lines.hpp).
using Vector = std::uint8_t;

/// The kernel's interrupt entry: called on the interrupted CPU with interrupts masked; returning resumes the
/// interrupted code with the interrupt flag it had.
using InterruptHandler = void (*)(Vector vector);

/// Installs the kernel's interrupt entry, once during boot.
void set_interrupt_handler(InterruptHandler handler);

/// Raises `vector` on `cpu` (which may be the executing one). It is delivered when that CPU has interrupts
/// enabled and wakes it from wait_for_interrupt(). Several sends before delivery may coalesce into one.
void ipi_send(CpuId cpu, Vector vector);

} // namespace arch
