// Interrupt vectors on x86-64. 0-31 are CPU exceptions; the legacy PIC's lines arrive on 0x20-0x2f
// (arch/irq_lines.hpp, pic.hpp), masked until the kernel unmasks a line. The arch layer keeps 0xfc-0xff for
// itself; the kernel chooses its own vectors (timer, IPIs) from 0x20-0xfb, above the device lines' 0x20-0x37.
#pragma once

#include "arch/ipi.hpp"

namespace arch::x86::vector {

inline constexpr Vector first_interrupt = 0x20;
inline constexpr Vector first_reserved = 0xfc; ///< 0xfc..0xff belong to the arch layer

inline constexpr Vector tlb_shootdown = 0xfd; ///< another CPU asks this one to invalidate (tlb.cpp)
inline constexpr Vector local_timer = 0xfe;   ///< the local APIC timer; becomes the kernel's timer vector
inline constexpr Vector spurious = 0xff;      ///< the local APIC's spurious vector: never acknowledged

/// Vectors the kernel may send and arm: not an exception, not the arch layer's.
constexpr bool kernel_may_use(unsigned v) {
    return v >= first_interrupt && v < first_reserved;
}

} // namespace arch::x86::vector
