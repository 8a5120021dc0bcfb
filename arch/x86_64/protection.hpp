// Control-register settings that protect the kernel from ring 3 and ring 3 from itself (Intel SDM vol. 3,
// 2.5): SMEP (the kernel never executes user pages), SMAP (the kernel never touches user pages by accident),
// UMIP (sgdt, sidt, sldt, str and smsw fault in ring 3, so no kernel address leaks through them), each when
// the CPU has it. (The FPU/SSE/AVX settings are extended_state.hpp's.) CR4.TSD is cleared
// whatever the firmware left: ring 3 may read the TSC with rdtsc (the bare-metal benchmark counts
// instructions with it under qemu -icount; user/bench/README.md).
#pragma once

namespace arch::x86 {

struct Protection {
    bool smep, smap, umip;
};

/// Set CR0 and CR4 as above on the executing CPU; returns which optional features are now on.
Protection enable_protection();

/// What enable_protection() turned on (the boot CPU's answer; every CPU gets the same).
Protection protection();

} // namespace arch::x86
