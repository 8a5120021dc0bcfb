// The legacy programmable interval timer (Intel 8254), used once at boot as a known clock to measure the TSC
// and the local APIC timer against. Channel 2 is free for this (its output only drives the speaker, which
// stays off) and its count can be latched and read while it runs, so no interrupt is needed.
#pragma once

#include <cstdint>

namespace arch::x86::pit {

inline constexpr std::uint64_t frequency_hz = 1'193'182;

/// Start channel 2 counting down from 65535 (mode 0), once; it passes zero after about 55 ms.
void start_countdown();

/// Channel 2's current count.
std::uint16_t count();

} // namespace arch::x86::pit
