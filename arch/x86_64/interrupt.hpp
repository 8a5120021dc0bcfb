// Interrupts (vectors 32-255) on x86-64: the local APIC delivers them, this layer acknowledges them, keeps
// its own vectors (vectors.hpp) and hands every other one to the kernel's handler (arch/ipi.hpp), whether it
// struck in the kernel or in user code.
#pragma once

#include <optional>

#include "arch/ipi.hpp"

namespace arch::x86 {

/// Bring up the boot CPU's local APIC and measure time against the PIT. Interrupts stay masked.
void init_interrupts();

/// Handle interrupt `vector` on the executing CPU (interrupts masked): acknowledge it, run what the arch
/// layer owns, and call the kernel's handler for the rest. Returns the vector the kernel's handler saw, or
/// nothing if the interrupt was not the kernel's business (spurious, not from the local APIC, a timer that
/// is not due yet, a TLB shootdown).
std::optional<Vector> dispatch_interrupt(Vector vector);

} // namespace arch::x86
