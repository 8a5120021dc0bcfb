// arch/timer.hpp on x86-64.
#include "arch/x86_64/time.hpp"

#include "arch/timer.hpp"
#include "arch/x86_64/clock_rates.hpp"
#include "arch/x86_64/cpu_ops.hpp"
#include "arch/x86_64/lapic.hpp"
#include "arch/x86_64/layout.hpp"
#include "arch/x86_64/pit.hpp"
#include "arch/x86_64/vectors.hpp"
#include "kernel/panic.hpp"

namespace arch {

namespace x86::time {

namespace {

using u128 = unsigned __int128;
constexpr std::uint64_t ns_per_s = 1'000'000'000;
constexpr int calibration_ticks = 11'932; // 10 ms of the PIT

Clocks clocks{};
std::uint64_t tsc_at_boot = 0;
std::uint64_t ns_per_tsc_tick_q32 = 0;    ///< nanoseconds per TSC tick, 32.32 fixed point
std::uint64_t tsc_ticks_per_ns_q32 = 0;   ///< TSC ticks per nanosecond, 32.32 fixed point
std::uint64_t lapic_ticks_per_ns_q32 = 0; ///< local APIC timer ticks per nanosecond, 32.32 fixed point

auto read_cpuid = [](std::uint32_t leaf, std::uint32_t subleaf) { return cpuid(leaf, subleaf); };

/// Ticks per nanosecond of a clock of `hz`, 32.32 fixed point (both halves stay below 2^64 for any clock
/// under 4 GHz * 2^32).
std::uint64_t per_ns_q32(std::uint64_t hz) {
    return ((hz / ns_per_s) << 32) + ((hz % ns_per_s) << 32) / ns_per_s;
}

/// Arm the local APIC timer for the rest of `cpu`'s deadline. TSC-deadline mode takes the deadline itself
/// (rounded up to the next tick, so it never fires before time_now() reaches it); one-shot mode counts at
/// least one tick and at most 2^32 - 1 (a longer wait, or one cut short by calibration error, fires early and
/// expire() starts it again).
void program(const CpuLocal& cpu) {
    if (clocks.tsc_deadline) {
        u128 ticks = static_cast<u128>(cpu.timer.deadline) * tsc_ticks_per_ns_q32 >> 32;
        lapic::timer_deadline(tsc_at_boot + static_cast<std::uint64_t>(ticks) + 1);
        return;
    }
    std::uint64_t now = time_now();
    std::uint64_t left = cpu.timer.deadline > now ? cpu.timer.deadline - now : 0;
    u128 ticks = (static_cast<u128>(left) * lapic_ticks_per_ns_q32 >> 32) + 1;
    lapic::timer_start(ticks > 0xffff'ffff ? 0xffff'ffffu : static_cast<std::uint32_t>(ticks),
                       vector::local_timer);
}

/// kvmclock's pvclock record (KVM's ABI, Documentation/virt/kvm/x86/msr.rst): the hypervisor writes it, an
/// odd version means an update is in progress.
struct alignas(64) PvclockTimeInfo {
    std::uint32_t version;
    std::uint32_t pad0;
    std::uint64_t tsc_timestamp;
    std::uint64_t system_time;
    std::uint32_t tsc_to_system_mul;
    std::int8_t tsc_shift;
    std::uint8_t flags;
    std::uint8_t pad[2];
};
PvclockTimeInfo pvclock;

/// The TSC rate KVM scales its clock by, or 0. The record is registered only for this one read.
std::uint64_t kvmclock_tsc_hz(std::uint32_t msr) {
    auto* record = static_cast<volatile PvclockTimeInfo*>(&pvclock);
    wrmsr(msr, (reinterpret_cast<std::uintptr_t>(&pvclock) - kernel_vma) | 1); // bit 0: enable
    std::uint64_t hz = 0;
    for (int tries = 0; tries < 1'000'000 && hz == 0; ++tries) {
        std::uint32_t version = record->version;
        if (version == 0 || (version & 1)) continue; // not written yet, or being written
        std::uint32_t mul = record->tsc_to_system_mul;
        std::int8_t shift = record->tsc_shift;
        asm volatile("" ::: "memory");
        if (record->version == version) hz = clock::pvclock_tsc_hz(mul, shift);
    }
    wrmsr(msr, 0);
    return hz;
}

/// The three clocks read as close together as possible: of a few tries, the one whose reads took the fewest
/// TSC ticks (a virtual CPU may be descheduled between two reads; the tightest sample is the truest).
struct Sample {
    std::uint64_t tsc;
    std::uint32_t apic;
    std::uint16_t pit;
    std::uint64_t spread; ///< TSC ticks the three reads took
};

Sample sample() {
    Sample best{0, 0, 0, ~std::uint64_t{0}};
    for (int i = 0; i < 5; ++i) {
        std::uint64_t t0 = rdtsc();
        std::uint32_t apic = lapic::timer_current();
        std::uint16_t count = pit::count();
        std::uint64_t spread = rdtsc() - t0;
        if (spread < best.spread) best = {t0, apic, count, spread};
    }
    return best;
}

/// The last resort: the TSC and the local APIC timer measured over 10 ms of the PIT's channel 2.
void measure_against_pit() {
    // 2^32 - 1 ticks take seconds at any real bus clock: the timer cannot run out during the measurement.
    // A PIT that is gated off or absent never counts: give up after far more reads than 10 ms can take.
    constexpr int max_samples = 1'000'000;
    Sample first{}, last{};
    for (int attempt = 0; attempt < 5; ++attempt) {
        lapic::timer_start(0xffff'ffff, vector::local_timer);
        pit::start_countdown();
        (void)pit::count(); // the countdown runs from here
        first = sample();
        last = first;
        int samples = 0;
        while (first.pit - last.pit < calibration_ticks) {
            if (++samples == max_samples)
                kernel::panic("time: the CPU names no TSC frequency (CPUID 0x15/0x16, hypervisor leaves, "
                              "kvmclock) and the PIT does not count: no clock to measure the TSC against");
            last = sample();
        }
        lapic::timer_stop();
        // Good enough when neither end took more than 0.1 % of the window to read; else measure again.
        std::uint64_t window = last.tsc - first.tsc;
        if (first.spread < window / 1000 && last.spread < window / 1000) break;
    }
    const std::uint64_t pit_ticks = first.pit - last.pit;
    // 64-bit arithmetic throughout (no 128-bit division in a freestanding kernel): 10 ms of ticks times the
    // PIT frequency stays below 2^64 for any clock under 10^12 Hz.
    clocks.tsc = {(last.tsc - first.tsc) * pit::frequency_hz / pit_ticks, clock::Source::pit};
    clocks.apic = {std::uint64_t{first.apic - last.apic} * pit::frequency_hz / pit_ticks, clock::Source::pit};
}

/// The local APIC timer counted against the TSC, whose rate is known, over about 1 ms.
std::uint64_t apic_against_tsc(std::uint64_t tsc_hz) {
    // At least one tick, whatever TSC rate the CPU or hypervisor named.
    const std::uint64_t window = tsc_hz >= 1000 ? tsc_hz / 1000 : 1;
    lapic::timer_start(0xffff'ffff, vector::local_timer);
    std::uint64_t t0 = rdtsc();
    std::uint32_t a0 = lapic::timer_current();
    std::uint64_t t1 = t0;
    while (t1 - t0 < window) t1 = rdtsc();
    std::uint32_t a1 = lapic::timer_current();
    lapic::timer_stop();
    // About 1 ms of a timer under 10 GHz times a TSC rate under 10 GHz stays below 2^64. The loop leaves
    // `elapsed` at least `window` (>= 1); the test spells that out for the static analyzer, which does not
    // follow the loop, and a 0 would be reported by the caller as a timer that did not advance.
    const std::uint64_t elapsed = t1 - t0;
    return elapsed ? std::uint64_t{a0 - a1} * tsc_hz / elapsed : 0;
}

} // namespace

void calibrate() {
    if (auto rate = clock::tsc_rate(read_cpuid)) {
        clocks.tsc = *rate;
    } else if (std::uint32_t msr = clock::kvmclock_msr(read_cpuid)) {
        if (std::uint64_t hz = kvmclock_tsc_hz(msr)) clocks.tsc = {hz, clock::Source::kvmclock};
    }
    clocks.tsc_deadline = clock::has_tsc_deadline(read_cpuid);
    if (clocks.tsc.hz == 0) {
        measure_against_pit();
    } else if (!clocks.tsc_deadline) {
        if (auto rate = clock::apic_timer_rate(read_cpuid)) {
            clocks.apic = *rate;
        } else {
            clocks.apic = {apic_against_tsc(clocks.tsc.hz), clock::Source::tsc};
        }
    }
    if (clocks.tsc.hz == 0 || (!clocks.tsc_deadline && clocks.apic.hz == 0))
        kernel::panic("time: the TSC or the local APIC timer did not advance while being measured");
    if (clocks.tsc_deadline) lapic::timer_use_deadline_mode(vector::local_timer);
    ns_per_tsc_tick_q32 = (ns_per_s << 32) / clocks.tsc.hz; // 10^9 * 2^32 < 2^62
    tsc_ticks_per_ns_q32 = per_ns_q32(clocks.tsc.hz);
    lapic_ticks_per_ns_q32 = per_ns_q32(clocks.apic.hz);
    tsc_at_boot = rdtsc();
}

void start_on_this_cpu() {
    if (clocks.tsc_deadline) lapic::timer_use_deadline_mode(vector::local_timer);
}

const Clocks& rates() {
    return clocks;
}

std::optional<Vector> expire(CpuLocal& cpu) {
    if (cpu.timer.deadline == 0) return std::nullopt; // disarmed after it fired
    if (time_now() < cpu.timer.deadline) {
        program(cpu);
        return std::nullopt;
    }
    cpu.timer.deadline = 0;
    return cpu.timer.vector;
}

} // namespace x86::time

std::uint64_t time_now() {
    std::uint64_t ticks = x86::rdtsc() - x86::time::tsc_at_boot;
    return static_cast<std::uint64_t>(
        static_cast<unsigned __int128>(ticks) * x86::time::ns_per_tsc_tick_q32 >> 32);
}

void timer_arm(std::uint64_t deadline, Vector vector) {
    if (deadline != 0 && !x86::vector::kernel_may_use(vector))
        kernel::panic("timer_arm: vector ", vector, " is not a kernel interrupt vector");
    IrqGuard guard;
    x86::CpuLocal& cpu = x86::this_cpu();
    cpu.timer = {deadline, vector};
    if (deadline == 0) {
        x86::lapic::timer_stop();
    } else {
        x86::time::program(cpu);
    }
}

} // namespace arch
