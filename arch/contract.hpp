// The arch contract: everything the portable kernel may ask of a machine. kernel/ includes only arch/*.hpp,
// never arch/x86_64 or hostsim; each of those implements all of it.
#pragma once

#include "arch/atomic.hpp"
#include "arch/console.hpp"
#include "arch/cpu.hpp"
#include "arch/ipi.hpp"
#include "arch/irq_lines.hpp"
#include "arch/phys.hpp"
#include "arch/timer.hpp"
#include "arch/tlb.hpp"
#include "arch/user.hpp"
