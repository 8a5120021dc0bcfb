// Which I/O ports a domain's threads may use, and making the CPU enforce it (arch/io_ports.hpp).
//
// A domain may use port p exactly while its capability space holds an io_ports capability with read and write
// whose range covers p (docs/abi.md, io_create). The set is not stored: it is recomputed from the capability
// space when IoState::epoch says some port capability changed since the domain's last look, and the CPU keeps
// the bitmap it built under the domain's key, so a domain that runs again on the same CPU costs one compare.
#pragma once

#include <cstdint>

#include "kernel/obj/io_ports.hpp"

namespace kernel {

class Pd;

/// Per-domain part (Pd::io).
struct IoAccess {
    std::uint64_t epoch_seen = 0; ///< IoState::epoch when `key` was decided
    std::uint64_t key = 0;        ///< the arch::IoKey of the domain's set; 0: no port
};

/// Before a thread of `pd` runs on the executing CPU (kernel lock held): make `pd`'s ports the ones ring 3
/// may use here. `io` is the kernel's port-capability tracking (Kernel::io).
void io_enter(IoState& io, Pd& pd);

/// io_finish's work, when there is some.
void io_shoot_down(IoState& io);

/// After a syscall (kernel lock held): if a port capability went away or lost rights, every CPU drops its
/// loaded set before the syscall returns; CPUs running ring 3 re-enter the kernel and select again.
inline void io_finish(IoState& io) {
    if (io.revoked) io_shoot_down(io);
}

} // namespace kernel
