// Arch contract: the executing CPU, interrupt masking, CPU-local data, idling and stopping the machine.
#pragma once

#include <cstddef>
#include <cstdint>

namespace arch {

/// Upper bound on CPUs the kernel supports; per-CPU arrays are sized by it.
inline constexpr unsigned max_cpus = 64;

using CpuId = unsigned;

/// Index of the executing CPU, 0 .. cpu_count()-1. Stable while interrupts are masked or preemption is off.
CpuId cpu_id();

/// Number of CPUs currently online.
unsigned cpu_count();

/// Interrupt state of the executing CPU, returned by irq_save() for a later irq_restore().
struct IrqState {
    bool enabled;
};

IrqState irq_save(); ///< Mask interrupts, returning the previous state.
void irq_restore(IrqState state);
void irq_enable();
void irq_disable();
bool irq_enabled();

/// Wait until the next interrupt (hlt on x86; under hostsim the CPU becomes idle until an event arrives).
void wait_for_interrupt();

/// Why the machine stops. On x86-64 the value is written to QEMU's isa-debug-exit port, which makes QEMU exit
/// with status (value << 1) | 1: success therefore exits 33. See docs/boot.md.
enum class ExitStatus : std::uint8_t {
    success = 0x10,   ///< the kernel finished its work; QEMU exits 33
    failure = 0x11,   ///< the kernel's own test work failed; QEMU exits 35
    panic = 0x12,     ///< an internal invariant broke or boot input was unusable; QEMU exits 37
    exception = 0x13, ///< an unexpected CPU exception in the kernel; QEMU exits 39
};

/// Stop the machine for good. Never returns.
[[noreturn]] void shutdown(ExitStatus status);

/// Data with one instance per CPU, indexed by cpu_id(). Instances are cache-line aligned so that CPUs
/// never share a line through it.
template <typename T>
class PerCpu {
public:
    T& local() { return slots_[cpu_id()].value; }
    T& on(CpuId cpu) { return slots_[cpu].value; }
    const T& on(CpuId cpu) const { return slots_[cpu].value; }

private:
    struct alignas(64) Slot {
        T value{};
    };
    Slot slots_[max_cpus];
};

/// RAII interrupt masking for a scope.
class IrqGuard {
public:
    IrqGuard() : saved_(irq_save()) {}
    ~IrqGuard() { irq_restore(saved_); }
    IrqGuard(const IrqGuard&) = delete;
    IrqGuard& operator=(const IrqGuard&) = delete;

private:
    IrqState saved_;
};

} // namespace arch
