// The legacy 8259 interrupt controllers. Firmware leaves them delivering IRQ 0-7 on vectors 8-15, which
// collide with CPU exceptions (the timer would look like a double fault). They are moved to vectors 32-47 and
// every line is masked; the local APIC takes over interrupts in a later stage.
#pragma once

namespace arch::x86 {

void disable_legacy_pic();

} // namespace arch::x86
