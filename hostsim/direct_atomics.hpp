// hostsim internal: the contract's atomics when no simulated CPU is executing (kernel unit tests, real
// threads racing under TSan). They are the compiler's atomics with the requested order; their file is
// compiled with the sanitizers' instrumentation so that TSan understands them.
#pragma once

#include <cstdint>
#include <cstdlib>

#include "arch/atomic.hpp"

namespace hostsim::direct {

std::uint64_t load(const volatile void* addr, unsigned size, arch::MemoryOrder order);
void store(volatile void* addr, unsigned size, std::uint64_t value, arch::MemoryOrder order);
std::uint64_t exchange(volatile void* addr, unsigned size, std::uint64_t value, arch::MemoryOrder order);
bool compare_exchange(volatile void* addr, unsigned size, std::uint64_t* expected, std::uint64_t desired,
                      arch::MemoryOrder order);
std::uint64_t fetch_op(volatile void* addr, unsigned size, arch::hosted::RmwOp op, std::uint64_t operand,
                       arch::MemoryOrder order);
void fence(arch::MemoryOrder order);

/// The operation's result on the old value (shared with the simulated path, where every read-modify-write
/// goes through it: inline).
inline std::uint64_t apply(arch::hosted::RmwOp op, std::uint64_t old, std::uint64_t operand) {
    using arch::hosted::RmwOp;
    switch (op) {
    case RmwOp::add:
        return old + operand;
    case RmwOp::sub:
        return old - operand;
    case RmwOp::and_:
        return old & operand;
    case RmwOp::or_:
        return old | operand;
    case RmwOp::xor_:
        return old ^ operand;
    }
    std::abort();
}

} // namespace hostsim::direct
