// arch/timer.hpp on x86-64.
#include "arch/x86_64/time.hpp"

#include "arch/timer.hpp"
#include "arch/x86_64/cpu_ops.hpp"
#include "arch/x86_64/lapic.hpp"
#include "arch/x86_64/pit.hpp"
#include "arch/x86_64/vectors.hpp"
#include "kernel/panic.hpp"

namespace arch {

namespace x86::time {

namespace {

using u128 = unsigned __int128;
constexpr std::uint64_t ns_per_s = 1'000'000'000;
constexpr int calibration_ticks = 11'932; // 10 ms of the PIT

std::uint64_t tsc_at_boot = 0;
std::uint64_t tsc_rate = 0, lapic_rate = 0;
std::uint64_t ns_per_tsc_tick_q32 = 0;    ///< nanoseconds per TSC tick, 32.32 fixed point
std::uint64_t lapic_ticks_per_ns_q32 = 0; ///< local APIC timer ticks per nanosecond, 32.32 fixed point

/// Start the local APIC timer for the rest of `cpu`'s deadline (at least one tick, at most 2^32 - 1: a
/// longer wait, or one cut short by calibration error, fires early and expire() starts it again).
void program(const CpuLocal& cpu) {
    std::uint64_t now = time_now();
    std::uint64_t left = cpu.timer.deadline > now ? cpu.timer.deadline - now : 0;
    u128 ticks = (static_cast<u128>(left) * lapic_ticks_per_ns_q32 >> 32) + 1;
    lapic::timer_start(ticks > 0xffff'ffff ? 0xffff'ffffu : static_cast<std::uint32_t>(ticks),
                       vector::local_timer);
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

} // namespace

void calibrate() {
    // 2^32 - 1 ticks take seconds at any real bus clock: the timer cannot run out during the measurement.
    Sample first{}, last{};
    for (int attempt = 0; attempt < 5; ++attempt) {
        lapic::timer_start(0xffff'ffff, vector::local_timer);
        pit::start_countdown();
        (void)pit::count(); // the countdown runs from here
        first = sample();
        last = first;
        while (first.pit - last.pit < calibration_ticks) last = sample();
        lapic::timer_stop();
        // Good enough when neither end took more than 0.1 % of the window to read; else measure again.
        std::uint64_t window = last.tsc - first.tsc;
        if (first.spread < window / 1000 && last.spread < window / 1000) break;
    }
    const std::uint64_t pit_ticks = first.pit - last.pit;

    // 64-bit arithmetic throughout (no 128-bit division in a freestanding kernel): 10 ms of ticks times the
    // PIT frequency stays below 2^64 for any clock under 10^12 Hz.
    tsc_rate = (last.tsc - first.tsc) * pit::frequency_hz / pit_ticks;
    lapic_rate = std::uint64_t{first.apic - last.apic} * pit::frequency_hz / pit_ticks;
    if (tsc_rate == 0 || lapic_rate == 0)
        kernel::panic("time: the TSC or local APIC timer did not advance while the PIT counted 10 ms");
    ns_per_tsc_tick_q32 = (ns_per_s << 32) / tsc_rate; // 10^9 * 2^32 < 2^62
    lapic_ticks_per_ns_q32 = ((lapic_rate / ns_per_s) << 32) + ((lapic_rate % ns_per_s) << 32) / ns_per_s;
    tsc_at_boot = first.tsc;
}

std::uint64_t tsc_hz() {
    return tsc_rate;
}
std::uint64_t lapic_timer_hz() {
    return lapic_rate;
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
