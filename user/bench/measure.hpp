// Counting instructions from ring 3 for the bare-metal benchmark (user/bench/README.md).
//
// Under `qemu-system-x86_64 -icount shift=0` the virtual clock advances one nanosecond per guest instruction
// and the TSC follows it, so the difference of two rdtsc readings is the number of instructions the CPU
// executed in between: the thread's own, the kernel's and any other thread's that ran meanwhile. Without
// -icount the same code measures TSC ticks of a TCG guest, which mean nothing; the calibration (a loop of a
// known instruction count) tells the two apart.
//
// A figure is the difference of two runs of n_small and n_large iterations divided by n_large - n_small, so
// everything paid once per run (the rdtsc pair, cold caches of the emulator, a first page table) cancels.
#pragma once

#include <cstdint>

namespace bench {

using Word = std::uint64_t;

/// The TSC. The kernel leaves CR4.TSD clear, so ring 3 may read it (docs/boot.md).
inline Word rdtsc() {
    std::uint32_t low, high;
    // No fence: it only matters for out-of-order timing, and instruction counts have no order to blur.
    asm volatile("rdtsc" : "=a"(low), "=d"(high)::"memory");
    return Word{high} << 32 | low;
}

/// Iteration counts of one figure.
struct Plan {
    Word warm_up, small, large;
};

/// Per-iteration cost of `run(n)` (which runs n iterations), from the plan's two sizes; 0 if the larger run
/// was not the more expensive one.
template <typename Run>
Word per_iteration(const Plan& plan, Run run) {
    run(plan.warm_up);
    const Word t0 = rdtsc();
    run(plan.small);
    const Word t1 = rdtsc();
    run(plan.large);
    const Word t2 = rdtsc();
    const Word d_small = t1 - t0, d_large = t2 - t1, n = plan.large - plan.small;
    if (d_large <= d_small) return 0;
    return (d_large - d_small + n / 2) / n;
}

} // namespace bench
