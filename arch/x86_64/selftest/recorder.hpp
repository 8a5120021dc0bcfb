// A kernel interrupt handler for self-tests: records which vectors arrived, when, and whether interrupts
// were masked while it ran.
#pragma once

#include <cstdint>

#include "arch/cpu.hpp"
#include "arch/ipi.hpp"
#include "arch/timer.hpp"

namespace arch::x86::selftest {

struct Recorder {
    static constexpr unsigned capacity = 16;
    Vector vectors[capacity];
    std::uint64_t times[capacity];
    unsigned count;
    bool ran_unmasked; ///< the handler once found interrupts enabled (the contract says masked)

    void clear() { *this = Recorder{}; }
};

extern Recorder recorded; // NOLINT(bugprone-dynamic-static-initializers): a declaration, see recorder.cpp

inline void record_interrupt(Vector v) {
    if (recorded.count < Recorder::capacity) {
        recorded.vectors[recorded.count] = v;
        recorded.times[recorded.count] = time_now();
    }
    ++recorded.count;
    recorded.ran_unmasked |= irq_enabled();
}

/// Enable interrupts until `done()` holds or `timeout_ns` passed, then mask them again. True if done.
template <typename Done>
bool run_unmasked_until(Done done, std::uint64_t timeout_ns) {
    std::uint64_t end = time_now() + timeout_ns;
    irq_enable();
    bool ok;
    while (!(ok = done()) && time_now() < end) asm volatile("pause");
    irq_disable();
    return ok;
}

inline constexpr std::uint64_t ms = 1'000'000;
/// Long enough for anything that should happen at all, even on a loaded host running QEMU TCG.
inline constexpr std::uint64_t patience = 5'000 * ms;

} // namespace arch::x86::selftest
