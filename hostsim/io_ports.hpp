// hostsim's side of the I/O-port contract (arch/io_ports.hpp): each simulated CPU's I/O permission state
// (what x86-64 keeps in the TSS's I/O permission bitmap, plus whether io_select made it the active one), and
// queries for tests.
//
// Inside a running Machine the state is the executing CPU's (Machine::io_permissions); outside one there is
// one CPU per host thread (CPU 0), so tests that call the kernel directly see what it selected. io_shootdown
// follows the IPI protocol of TLB shootdowns (Machine::cross_cpu_request): a target drops its set only when
// it takes the request, with interrupts enabled, and a target in ring 3 leaves it with the kernel's vector.
#pragma once

#include <bitset>
#include <cstdint>
#include <vector>

#include "arch/io_ports.hpp"

namespace hostsim {

/// One CPU's ports. Boots (and is dropped to) key 0: nothing loaded, nothing active.
struct IoPermissions {
    arch::IoKey loaded = 0; ///< the key of the set this CPU holds (0: none)
    bool active = false;    ///< ring 3 uses `ports` (false: key 0 is selected, no port)
    std::bitset<arch::io_port_count> ports;

    /// x86 (Intel SDM vol. 1, 19.5.2): an access of `size` bytes at `port` is allowed iff the bits of port ..
    /// port + size - 1 are all permitted; a port past the space counts as not permitted (the bitmap's
    /// trailing all-ones byte). IOPL is 0 in Janus, so nothing else allows an access.
    bool permitted(std::uint32_t port, unsigned size) const {
        if (!active || size == 0) return false;
        for (std::uint32_t p = port; p < port + size; ++p)
            if (p >= arch::io_port_count || !ports.test(p)) return false;
        return true;
    }
    /// What a CPU holds after an io_shootdown took effect on it (and after boot).
    void drop() {
        loaded = 0;
        active = false;
        ports.reset();
    }
};

/// Whether ring 3 on `cpu` may access `size` bytes at `port` right now: inside a running Machine that CPU's
/// state, outside one the host thread's single CPU (any other `cpu` is false).
bool io_permitted(arch::CpuId cpu, std::uint32_t port, unsigned size);

/// The state behind io_permitted, for tests that check keys (same rules for `cpu`; an absent CPU reads as
/// a CPU at boot).
const IoPermissions& io_permissions(arch::CpuId cpu);

/// Every io_shootdown the kernel made from this host thread, oldest first (tests read and clear it).
struct IoShootdown {
    arch::CpuMask cpus;
    arch::Vector reenter;
};
std::vector<IoShootdown>& io_shootdowns();

/// The host thread's CPU back to boot state (key 0) and its log cleared: a test's set-up.
void reset_io_ports();

} // namespace hostsim
