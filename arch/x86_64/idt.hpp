// The interrupt descriptor table: an interrupt gate (interrupts masked on entry) for each of the 256 vectors,
// all leading to entry_stubs.S; #DF, NMI and #MC run on their own IST stacks. Every gate has DPL 0, so
// `int n` from ring 3 raises #GP instead of entering through a kernel vector.
#pragma once

namespace arch::x86 {

/// Load the IDT on this CPU (the boot CPU fills it the first time).
void load_idt();

} // namespace arch::x86
