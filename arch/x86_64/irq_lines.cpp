// arch/irq_lines.hpp on x86-64: lines 0..15 are the 8259's inputs (pic.hpp), reaching the boot CPU through
// its LINT0 in ExtINT mode while any of them is unmasked; the PIT's channel 0 drives line 0 (pit.hpp,
// started by init_interrupts). Line 2 (the cascade) and lines 16..23 have no source until an IOAPIC driver
// comes. Interrupts of these lines are acknowledged in interrupt.cpp (dispatch_interrupt).
#include "arch/irq_lines.hpp"

#include "arch/x86_64/lapic.hpp"
#include "arch/x86_64/pic.hpp"

namespace arch {

namespace {

bool pic_device_line(unsigned line) {
    return line < x86::pic::lines && line != x86::pic::cascade_line;
}

} // namespace

void irq_line_unmask(unsigned line) {
    if (!pic_device_line(line)) return;
    // The wire first, then the 8259: an interrupt it raises at once must find LINT0 open.
    x86::lapic::set_lint0_extint(true);
    x86::pic::set_masked(line, false);
}

void irq_line_mask(unsigned line) {
    if (!pic_device_line(line)) return;
    x86::lapic::set_lint0_extint(x86::pic::set_masked(line, true)); // the wire closes with the last line
}

} // namespace arch
