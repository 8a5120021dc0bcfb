// The interrupt descriptor table: a gate for each of the 32 exception vectors; #DF, NMI and #MC run on their
// own IST stacks. Vectors 32-255 are not present yet (no device interrupts are enabled: see pic.cpp).
#pragma once

namespace arch::x86 {

void load_idt();

} // namespace arch::x86
