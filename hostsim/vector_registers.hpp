// hostsim's format of arch::ExtendedState: the x87 and SSE registers of a simulated CPU's user mode, as a
// Unicorn engine reads and writes them (hostsim/usermode/engine.cpp). Each simulated CPU holds one set (its
// registers); arch::extended_state_load/save copy a thread's set in and out under the kernel lock, and the
// CPU's engine takes the set before every slice of user code and gives it back after. Unicorn 2.0.1 models no
// AVX (its CPUID says so), so there is no upper half to keep.
#pragma once

#include <cstdint>
#include <cstring>

#include "arch/user.hpp"

namespace hostsim {

struct VectorRegisters {
    std::uint64_t fcw, fsw, ftag, mxcsr; ///< ftag in Unicorn's encoding: 0xffff is every register empty
    std::uint64_t fip, fdp, fop;         ///< x87 last-instruction pointers (a leak channel on hardware)
    struct {
        std::uint64_t mantissa, exponent; ///< Unicorn writes 10 bytes; 16 keep each one apart
    } st[8];
    std::uint8_t xmm[16][16];

    /// The architectural initial state (as after FNINIT and a reset MXCSR): control word 0x37f, every
    /// register empty and zero, MXCSR 0x1f80.
    static VectorRegisters initial() {
        VectorRegisters v;
        std::memset(&v, 0, sizeof v);
        v.fcw = 0x37f;
        v.ftag = 0xffff;
        v.mxcsr = 0x1f80;
        return v;
    }
};
static_assert(sizeof(VectorRegisters) <= arch::extended_state_bytes);

inline const VectorRegisters& vectors_of(const arch::ExtendedState& s) {
    return *reinterpret_cast<const VectorRegisters*>(s.bytes);
}
inline VectorRegisters& vectors_of(arch::ExtendedState& s) {
    return *reinterpret_cast<VectorRegisters*>(s.bytes);
}

} // namespace hostsim
