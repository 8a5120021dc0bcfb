// The replay line of the execution in progress, printed when something outside the explorer's own checks
// ends or interrupts it: a TSan report, a sanitizer error, a crash signal. The line carries strategy and seed
// (no schedule: the run is cut short), which regenerate the identical run.
#pragma once

#include "hostsim/replay_line.hpp"

namespace hostsim {

/// Makes `line` the execution in progress (installs the handlers on first use).
void set_crash_line(const ReplayLine& line);
/// No execution in progress.
void clear_crash_line();

} // namespace hostsim
