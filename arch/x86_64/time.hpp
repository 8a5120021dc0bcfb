// Time on x86-64: time_now() reads the TSC, scaled to nanoseconds; the one-shot timer is the local APIC
// timer. Both rates are measured once against the PIT at boot (calibrate()). The TSC is assumed to run at a
// constant rate and in step on all CPUs (an invariant TSC, as on every x86-64 CPU of the last decade and
// under QEMU).
#pragma once

#include <cstdint>
#include <optional>

#include "arch/ipi.hpp"
#include "arch/x86_64/cpu_local.hpp"

namespace arch::x86::time {

/// Measure the TSC and local APIC timer rates over 10 ms of the PIT; time_now() counts from here.
void calibrate();

std::uint64_t tsc_hz();
std::uint64_t lapic_timer_hz();

/// The local timer interrupt arrived on `cpu`: the kernel's vector if its deadline has passed (the timer is
/// then disarmed), else the timer is started again for the rest and nothing is due.
std::optional<Vector> expire(CpuLocal& cpu);

} // namespace arch::x86::time
