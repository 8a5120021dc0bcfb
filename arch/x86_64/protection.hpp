// Control-register settings that protect the kernel from ring 3 and ring 3 from itself (Intel SDM vol. 3,
// 2.5): SMEP (the kernel never executes user pages), SMAP (the kernel never touches user pages by accident),
// UMIP (sgdt, sidt, sldt, str and smsw fault in ring 3, so no kernel address leaks through them), each when
// the CPU has it; NX (the kernel's data never executes) and CR0.WP (the kernel's read-only pages stay so in
// ring 0); FSGSBASE, so that ring 3 may set the fs and gs bases itself (thread-local storage). (The
// FPU/SSE/AVX settings are extended_state.hpp's.) CR4.TSD is cleared
// whatever the firmware left: ring 3 may read the TSC with rdtsc (the bare-metal benchmark counts
// instructions with it under qemu -icount; user/bench/README.md).
#pragma once

namespace arch::x86 {

struct Protection {
    bool nx; ///< EFER.NXE: no-execute pages (the kernel's data, ring 3's non-executable segments)
    bool wp; ///< CR0.WP: read-only pages are read-only in ring 0 too
    bool smep, smap, umip;
    bool fsgsbase; ///< CR4.FSGSBASE: ring 3 sets its own fs and gs bases (rdfsbase/wrfsbase...; user.cpp
                   ///< keeps them per thread)
};

/// Set CR0 and CR4 as above on the executing CPU; returns which optional features are now on.
Protection enable_protection();

/// What enable_protection() turned on (the boot CPU's answer, written once before any other CPU starts; every
/// CPU gets the same). Inline: every return from ring 3 asks it.
extern Protection enabled_protection;
inline const Protection& protection() {
    return enabled_protection;
}

} // namespace arch::x86
