// I/O-port objects: an IoPorts names a range of the machine's ports, made from the one IoControl object the
// root domain receives at boot (io_create). Holding an io_ports capability with read and write lets a domain
// use its ports from ring 3; kernel/obj/io_access.cpp turns the capabilities a domain holds into the set the
// CPU enforces (arch/io_ports.hpp).
//
// Change tracking: every fill, clear or rights change of a slot naming an IoPorts bumps IoState::epoch
// (kernel/cap/derivation.cpp calls io_ports_caps_changed, kernel/cap/type_hooks.hpp), so a domain's set is
// rebuilt when it may have changed. A change that may remove access also sets `revoked`: the syscall layer
// then makes every CPU drop its loaded set before the syscall returns (arch::io_shootdown), which is what
// makes revocation immediate.
#pragma once

#include <cstdint>

#include "kernel/kmem/object.hpp"

namespace kernel {

/// Kernel-wide bookkeeping of port capabilities (Kernel::io).
struct IoState {
    std::uint64_t epoch = 0;    ///< bumped by every change to an io_ports capability anywhere
    std::uint64_t last_key = 0; ///< the last arch::IoKey handed out: keys are never reused
    bool revoked = false;       ///< some domain may have lost a port since the last io_shootdown
};

class IoPorts : public Object {
public:
    IoPorts(IoState& s, std::uint32_t f, std::uint32_t c)
        : Object(ObjectType::io_ports), state(&s), first(f), count(c) {}

    IoState* const state;
    const std::uint32_t first; ///< first port
    const std::uint32_t count; ///< 1 .. janus::abi::io_ports - first
};

class IoControl : public Object {
public:
    IoControl() : Object(ObjectType::io_control) {}
};

static_assert(sizeof(IoPorts) <= janus::abi::charge::io_ports, "an io_ports object must fit its ABI charge");

} // namespace kernel
