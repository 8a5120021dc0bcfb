// Spinlock: mutual exclusion between CPUs built only on the arch contract (arch::Atomic, arch::cpu_relax).
//
// Test-and-test-and-set: a waiter spins on plain loads and retries the exchange only when the lock looks
// free, so waiting CPUs do not bounce the cache line. The lock does not mask interrupts; code that may also
// be entered from an interrupt handler takes an arch::IrqGuard first. Under hostsim each load and exchange is
// a scheduling point and cpu_relax() yields, so a spinning simulated CPU never exhausts the step budget.
#pragma once

#include "arch/atomic.hpp"

namespace kernel {

class Spinlock {
public:
    constexpr Spinlock() = default;
    Spinlock(const Spinlock&) = delete;
    Spinlock& operator=(const Spinlock&) = delete;

    void lock() {
        while (held_.exchange(1, arch::MemoryOrder::acquire) != 0) {
            while (held_.load(arch::MemoryOrder::relaxed) != 0) arch::cpu_relax();
        }
    }

    [[nodiscard]] bool try_lock() { return held_.exchange(1, arch::MemoryOrder::acquire) == 0; }

    void unlock() { held_.store(0, arch::MemoryOrder::release); }

    /// Whether the lock looks free in memory, read without an atomic operation: for checks a simulated
    /// machine makes between the kernel's steps (hostsim), never for synchronisation.
    bool looks_free() const { return held_.raw() == 0; }

private:
    arch::Atomic<std::uint32_t> held_{0};
};

/// Holds a Spinlock for the lifetime of a scope.
class SpinGuard {
public:
    explicit SpinGuard(Spinlock& lock) : lock_(lock) { lock_.lock(); }
    ~SpinGuard() { lock_.unlock(); }
    SpinGuard(const SpinGuard&) = delete;
    SpinGuard& operator=(const SpinGuard&) = delete;

private:
    Spinlock& lock_;
};

} // namespace kernel
