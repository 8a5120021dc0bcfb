// Arch contract: ring-3 access to I/O ports.
//
// Each CPU holds one set of ports ring 3 may use with `in`/`out` (x86-64: the TSS's I/O permission bitmap),
// named by a key the kernel chooses. The kernel keeps, per protection domain, which ports its capabilities
// allow, and before every run of a thread it makes that domain's set the active one here: io_select() when
// the CPU still holds it, io_load() and io_allow() to build it otherwise. Key 0 means "no port", the state
// every CPU boots in. A port outside the active set faults as a #GP, as every port does at key 0.
//
// Revoking a port must take effect everywhere before the revoking syscall returns: io_shootdown() makes the
// given CPUs drop what they hold and waits for them, with the same rules as tlb_shootdown (arch/tlb.hpp).
// A target that was running ring 3 leaves it (run_user returns as for an interrupt with the vector the kernel
// names), so the kernel selects the domain's new set before that thread runs another instruction.
#pragma once

#include <cstdint>

#include "arch/ipi.hpp"
#include "arch/tlb.hpp"

namespace arch {

/// Ports of the machine's I/O space: 0 .. io_port_count - 1 (x86-64: 65536; 0 where there is none).
inline constexpr std::uint32_t io_port_count = 65536;

/// Names one set of ports (the kernel's choice; it never reuses a key for another set). 0: no port.
using IoKey = std::uint64_t;

/// Make the set loaded under `key` the one ring 3 uses on the executing CPU. True if this CPU holds it (key 0
/// is always held: no port); false if not, and then nothing changed: build it with io_load and io_allow.
/// Kernel lock held, interrupts masked.
bool io_select(IoKey key);

/// Replace the executing CPU's set with an empty one named `key` (non-zero), active at once. Kernel lock
/// held, interrupts masked.
void io_load(IoKey key);

/// Add ports first .. first + count - 1 to the set io_load began on the executing CPU. The range lies inside
/// the port space (the kernel checks io_ports objects when they are made). Kernel lock held, interrupts
/// masked.
void io_allow(std::uint32_t first, std::uint32_t count);

/// Every online CPU in `cpus` (the executing one included if it is in the set) drops its set (as if it had
/// selected key 0 and forgotten every other); returns when all of them have. A target running ring 3 at that
/// moment returns from run_user with UserExit::Kind::interrupt and vector `reenter`, which the kernel must
/// treat as "decide again". The rules of tlb_shootdown about masked interrupts and concurrent initiators
/// apply.
void io_shootdown(CpuMask cpus, Vector reenter);

} // namespace arch
