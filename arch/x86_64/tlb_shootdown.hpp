// Shootdowns between CPUs (arch/tlb.hpp, arch/io_ports.hpp). The initiator publishes one request, interrupts
// every other target with vector::tlb_shootdown and waits until each has carried it out and cleared its bit
// in `pending`. One request at a time (a lock); a waiting initiator keeps interrupts enabled, so two CPUs
// shooting at each other both make progress. With one CPU online only the local part runs.
#pragma once

#include "arch/ipi.hpp"

namespace arch::x86 {

/// What a request asks of its targets: drop TLB entries, drop the loaded I/O-permission set, or only leave
/// ring 3 (arch::leave_user).
enum class ShootdownKind : unsigned char { tlb, io, leave };

/// What a target did, for its interrupt path: an io or leave request makes a CPU running ring 3 leave it
/// with vector `reenter` (arch/io_ports.hpp, arch/user.hpp).
struct ShootdownDone {
    ShootdownKind kind;
    Vector reenter;
};

/// Called from dispatch_interrupt() on a target: carry out the published request and acknowledge it.
ShootdownDone tlb_shootdown_acknowledge();

/// This CPU forgets its I/O-permission set: ring 3 gets no port until the kernel selects one (io_ports.cpp).
void io_drop_local();

} // namespace arch::x86
