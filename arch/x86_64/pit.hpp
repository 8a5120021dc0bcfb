// The legacy programmable interval timer (Intel 8254). Channel 2 is used once at boot as a known clock to
// measure the TSC and the local APIC timer against: it is free for this (its output only drives the speaker,
// which stays off) and its count can be latched and read while it runs, so no interrupt is needed. Channel 0,
// whose output is the 8259's input 0, is the legacy periodic timer of device line 0 (arch/irq_lines.hpp).
#pragma once

#include <cstdint>

namespace arch::x86::pit {

inline constexpr std::uint64_t frequency_hz = 1'193'182;

/// Start channel 2 counting down from 65535 (mode 0), once; it passes zero after about 55 ms.
void start_countdown();

/// Channel 2's current count.
std::uint16_t count();

/// Start channel 0 as a rate generator (mode 2): one pulse on its output, i.e. one edge on line 0, every
/// frequency_hz / hz input clocks, for good. It runs whether or not line 0 is masked.
void start_periodic(std::uint64_t hz);

} // namespace arch::x86::pit
