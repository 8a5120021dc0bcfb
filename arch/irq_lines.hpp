// Arch contract: device interrupt lines and their masking.
//
// A machine has device interrupt lines 0 .. irq_line_count - 1. Line L reaches the kernel's interrupt entry
// (arch/ipi.hpp) as vector irq_line_vector_base + L, on CPU 0, while the line is unmasked and CPU 0 has
// interrupts enabled. Every line starts masked; only the kernel masks and unmasks them, and it unmasks a
// line exactly while an irq object is bound to it (docs/ipc.md "Notifications and interrupts"), so a device
// nobody listens to never interrupts.
//
// What a masked line does is the interrupt controller's business: an edge that came while masked may be
// delivered once when the line is unmasked (the 8259 latches it), so the kernel must tolerate one stale
// interrupt after unmasking. A line the machine does not have never fires; masking it does nothing.
//
// Line 0 is the legacy periodic timer on every machine: it fires irq_line_timer_hz times a second of
// time_now() (as a device does: ticks that come while CPU 0 cannot take them may be lost or collapsed).
//   x86-64:  with an I/O APIC (the MADT lists one), lines 0..15 are the ISA IRQs through it (overrides
//            applied: the PIT's IRQ 0 is GSI 2 on most PCs) and 16..23 are GSIs 16..23, level-triggered and
//            held back from delivery until irq_line_end (arch/x86_64/irq_routing.hpp); the 8259s stay masked.
//            Without one, lines 0..15 are the inputs of the two 8259 PICs and 16..23 have no source. Line 2
//            (the 8259 cascade) never fires; the 8254 PIT's channel 0 runs in rate-generator mode on line 0.
//   hostsim: line 0 is a periodic source on virtual time; device models raise the others
//            (hostsim/irq_lines.hpp: 1..15 edge-triggered as ISA lines, 16..23 level-triggered until
//            irq_line_end; the 16550 at COM1 uses line 4).
#pragma once

#include <cstdint>

#include "arch/ipi.hpp"

namespace arch {

/// Lines 0 .. irq_line_count - 1 may be named (the ABI's irq_create accepts the same range).
inline constexpr unsigned irq_line_count = 24;

/// Line L arrives as vector irq_line_vector_base + L: right above the CPU exceptions, below the kernel's own
/// vectors.
inline constexpr Vector irq_line_vector_base = 0x20;

/// The legacy periodic timer's line and rate.
inline constexpr unsigned irq_line_timer = 0;
inline constexpr std::uint64_t irq_line_timer_hz = 100;

/// Lets `line` interrupt. Called with interrupts masked; a line out of range is ignored.
void irq_line_unmask(unsigned line);

/// Stops `line` from interrupting. Called with interrupts masked; a line out of range is ignored.
void irq_line_mask(unsigned line);

/// The kernel has finished with the interrupt of `line` it was given (its irq object was acknowledged). A
/// controller that holds a level-triggered line back from the moment it delivers it (an asserted level would
/// otherwise interrupt again at once) lets it interrupt again now, if it is still unmasked. Called with
/// interrupts masked; a line out of range is ignored.
void irq_line_end(unsigned line);

} // namespace arch
