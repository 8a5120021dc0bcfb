// Arch contract: time and the per-CPU one-shot timer.
#pragma once

#include <cstdint>

#include "arch/ipi.hpp"

namespace arch {

/// Nanoseconds since boot, the same on every CPU and never going backwards (virtual time under hostsim).
std::uint64_t time_now();

/// Arms the executing CPU's one-shot timer: `vector` is raised on this CPU once time_now() >= deadline.
/// A deadline of 0 disarms it; arming again replaces the previous deadline.
void timer_arm(std::uint64_t deadline, Vector vector);

} // namespace arch
