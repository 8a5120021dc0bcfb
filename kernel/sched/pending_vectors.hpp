// Interrupts a CPU took while it idled in the kernel, kept until its run loop handles them under the lock.
//
// The arch contract's interrupt entry is a bare function (arch::set_interrupt_handler), so this per-CPU
// record is the one piece of scheduler state outside the Kernel object. Only the owning CPU touches its slot,
// with interrupts masked (the loop) or inside its interrupt entry, so plain memory suffices.
#pragma once

#include <cstdint>

#include "arch/ipi.hpp"

namespace kernel::sched {

struct VectorSet {
    std::uint64_t bits[4] = {};

    void add(arch::Vector v) { bits[v / 64] |= std::uint64_t{1} << (v % 64); }
    bool empty() const { return (bits[0] | bits[1] | bits[2] | bits[3]) == 0; }
    bool operator==(const VectorSet&) const = default;
    /// Whether `v` is the one vector in the set.
    bool only(arch::Vector v) const {
        VectorSet alone;
        alone.add(v);
        return *this == alone;
    }
    /// Removes and returns the lowest vector; the set must not be empty.
    arch::Vector take() {
        for (unsigned w = 0;; ++w)
            if (bits[w]) {
                unsigned b = static_cast<unsigned>(__builtin_ctzll(bits[w]));
                bits[w] &= bits[w] - 1;
                return static_cast<arch::Vector>(w * 64 + b);
            }
    }
};

/// The executing CPU's record.
VectorSet& pending_vectors();

/// The kernel's interrupt entry: records the vector for the run loop.
void record_interrupt(arch::Vector vector);

/// Sends vector_resched to every CPU in `cpus`.
void send_kicks(std::uint64_t cpus);

} // namespace kernel::sched
