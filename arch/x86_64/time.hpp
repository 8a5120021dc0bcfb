// Time on x86-64: time_now() reads the TSC, scaled to nanoseconds; the one-shot timer is the local APIC
// timer, in TSC-deadline mode where the CPU offers it. Rates come from what the CPU or hypervisor says
// (clock_rates.hpp: CPUID 0x15/0x16, the hypervisor timing leaf, kvmclock); the PIT is measured against only
// when none says the TSC's rate. The TSC is assumed to run at a constant rate and in step on all CPUs (an
// invariant TSC, as on every x86-64 CPU of the last decade and under QEMU).
#pragma once

#include <cstdint>
#include <optional>

#include "arch/ipi.hpp"
#include "arch/x86_64/clock_rates.hpp"
#include "arch/x86_64/cpu_local.hpp"

namespace arch::x86::time {

struct Clocks {
    clock::Rate tsc;   ///< the TSC's rate and who said it
    clock::Rate apic;  ///< the local APIC timer's input rate (divide by one); 0 in TSC-deadline mode
    bool tsc_deadline; ///< the timer is armed with TSC deadlines
};

/// Find the clocks' rates and set the timer's mode; time_now() counts from here.
void calibrate();

const Clocks& rates();

/// An application processor: put its local APIC timer in the mode calibrate() chose on the boot CPU (the
/// rates are the same on every CPU).
void start_on_this_cpu();

/// The local timer interrupt arrived on `cpu`: the kernel's vector if its deadline has passed (the timer is
/// then disarmed), else the timer is started again for the rest and nothing is due.
std::optional<Vector> expire(CpuLocal& cpu);

} // namespace arch::x86::time
