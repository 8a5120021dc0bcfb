// janus.selftest=interrupts: the interrupt and time half of the arch contract, checked in ring 0. Expected
// behaviour is read from arch/ipi.hpp, arch/timer.hpp, arch/irq_lines.hpp and the Intel SDM (local APIC
// priorities), not from this implementation.
#include "arch/ipi.hpp"
#include "arch/irq_lines.hpp"
#include "arch/timer.hpp"
#include "arch/x86_64/cpu_local.hpp"
#include "arch/x86_64/pit.hpp"
#include "arch/x86_64/selftest/recorder.hpp"
#include "arch/x86_64/selftest/report.hpp"
#include "arch/x86_64/selftest/selftests.hpp"

namespace arch::x86::selftest {

namespace {

bool count_is(unsigned n) {
    return recorded.count == n;
}

void time_checks(Report& r) {
    std::uint64_t first = time_now(), previous = first;
    bool monotonic = true;
    for (int i = 0; i < 10'000; ++i) {
        std::uint64_t t = time_now();
        monotonic &= t >= previous;
        previous = t;
    }
    r.check(monotonic && previous > first, "time_now never goes backwards and advances", "first ", first,
            ", last ", previous);

    // 20 ms of the PIT against time_now(): the scaling must be right to within 10 %. Each end is a (time,
    // count) pair read back to back; a pair that took long (the virtual CPU was descheduled in between) is
    // measured again.
    struct Pair {
        std::uint64_t ns;
        std::uint16_t count;
        std::uint64_t spread;
    };
    auto pair = [] {
        std::uint64_t t = time_now();
        std::uint16_t c = pit::count();
        return Pair{t, c, time_now() - t};
    };
    constexpr int ticks_20ms = 23'864;
    constexpr std::uint64_t tight = 100'000; // ns
    std::uint64_t pit_ns = 0, ns = 0;
    for (int attempt = 0; attempt < 10; ++attempt) {
        pit::start_countdown();
        Pair a = pair(), b = a;
        while (a.count - b.count < ticks_20ms) b = pair();
        pit_ns = std::uint64_t(a.count - b.count) * 1'000'000'000 / pit::frequency_hz;
        ns = b.ns - a.ns;
        if (a.spread < tight && b.spread < tight) break;
    }
    r.check(ns > pit_ns * 9 / 10 && ns < pit_ns * 11 / 10, "time_now agrees with the PIT", ns,
            " ns while the PIT counted ", pit_ns, " ns");
}

void ipi_checks(Report& r) {
    recorded.clear();
    ipi_send(cpu_id(), 0x40);
    std::uint64_t wait_until = time_now() + 2 * ms;
    while (time_now() < wait_until) asm volatile("pause");
    bool held = recorded.count == 0;
    bool arrived = run_unmasked_until([] { return recorded.count >= 1; }, patience);
    run_unmasked_until([] { return false; }, 2 * ms); // a second delivery would show now
    r.check(held && arrived && recorded.count == 1 && recorded.vectors[0] == 0x40 && !recorded.ran_unmasked,
            "a self-IPI waits for the interrupt flag, then arrives once, masked", "held ", held, ", count ",
            recorded.count, ", vector ", recorded.vectors[0], ", handler saw interrupts enabled ",
            recorded.ran_unmasked);

    // Two pending vectors: the local APIC dispatches the higher priority class first (SDM vol. 3, 11.8.3).
    recorded.clear();
    ipi_send(cpu_id(), 0x41);
    ipi_send(cpu_id(), 0xf1); // the scheduler's resched vector (kernel/sched/vectors.hpp)
    run_unmasked_until([] { return recorded.count >= 2; }, patience);
    r.check(recorded.count == 2 && recorded.vectors[0] == 0xf1 && recorded.vectors[1] == 0x41,
            "two pending IPIs both arrive, higher vector first", "count ", recorded.count, ", first ",
            recorded.vectors[0], ", second ", recorded.vectors[1]);

    // `int n` runs the gate but the local APIC delivered nothing: not an interrupt for the kernel.
    recorded.clear();
    std::uint64_t stray = this_cpu().stray_interrupts;
    asm volatile("int $0x40");
    asm volatile("int $0xff"); // the spurious vector
    r.check(recorded.count == 0 && this_cpu().stray_interrupts == stray + 2,
            "int n and the spurious vector never reach the kernel's handler", "handler calls ",
            recorded.count, ", strays counted ", this_cpu().stray_interrupts - stray);
}

void timer_checks(Report& r) {
    recorded.clear();
    std::uint64_t deadline = time_now() + 2 * ms;
    timer_arm(deadline, 0x50);
    run_unmasked_until([] { return recorded.count >= 1; }, patience);
    run_unmasked_until([] { return false; }, 5 * ms);
    r.check(recorded.count == 1 && recorded.vectors[0] == 0x50 && recorded.times[0] >= deadline,
            "the one-shot timer raises its vector once, not before the deadline", "count ", recorded.count,
            ", vector ", recorded.vectors[0], ", arrived ", recorded.times[0], " for deadline ", deadline);

    recorded.clear();
    timer_arm(time_now() + 1 * ms, 0x51);
    std::uint64_t later = time_now() + 4 * ms;
    timer_arm(later, 0x52);
    run_unmasked_until([] { return recorded.count >= 1; }, patience);
    run_unmasked_until([] { return false; }, 5 * ms);
    r.check(recorded.count == 1 && recorded.vectors[0] == 0x52 && recorded.times[0] >= later,
            "arming again replaces the deadline and the vector", "count ", recorded.count, ", vector ",
            recorded.vectors[0], ", arrived ", recorded.times[0], " for deadline ", later);

    recorded.clear();
    timer_arm(time_now() + 1 * ms, 0x53);
    timer_arm(0, 0x53);
    run_unmasked_until([] { return false; }, 10 * ms);
    r.check(count_is(0), "a deadline of 0 disarms the timer", "count ", recorded.count);

    recorded.clear();
    timer_arm(1, 0xf0); // the scheduler's timer vector
    run_unmasked_until([] { return recorded.count >= 1; }, patience);
    r.check(recorded.count == 1 && recorded.vectors[0] == 0xf0, "a deadline already past fires at once",
            "count ", recorded.count);

    recorded.clear();
    timer_arm(time_now() + 1 * ms, 0x55);
    wait_for_interrupt();
    irq_disable();
    r.check(recorded.count == 1 && recorded.vectors[0] == 0x55, "wait_for_interrupt wakes for the timer",
            "count ", recorded.count);
}

void device_line_checks(Report& r) {
    // Line 0 is the legacy periodic timer (arch/irq_lines.hpp): 100 Hz while unmasked, silent while masked.
    constexpr Vector line0 = irq_line_vector_base + irq_line_timer;
    constexpr std::uint64_t period = 1'000'000'000 / irq_line_timer_hz;
    recorded.clear();
    run_unmasked_until([] { return false; }, 3 * period);
    r.check(count_is(0), "a masked device line stays quiet", "count ", recorded.count);

    // 200 ms unmasked: about 20 ticks. No more than the periods that passed can come (plus one edge the 8259
    // may have latched while the line was masked); fewer only if the host starves QEMU.
    recorded.clear();
    irq_line_unmask(irq_line_timer);
    const std::uint64_t start = time_now();
    run_unmasked_until([] { return false; }, 20 * period);
    const std::uint64_t elapsed = time_now() - start;
    irq_line_mask(irq_line_timer);
    bool all_line0 = true;
    for (unsigned i = 0; i < recorded.count && i < Recorder::capacity; ++i)
        all_line0 &= recorded.vectors[i] == line0;
    const std::uint64_t most = elapsed / period + 2;
    r.check(all_line0 && recorded.count >= 3 && recorded.count <= most && !recorded.ran_unmasked,
            "device line 0 ticks at about 100 Hz while unmasked, as vector 0x20", "count ", recorded.count,
            " in ", elapsed / ms, " ms (at most ", most, "), all vector 0x20 ", all_line0);

    recorded.clear();
    run_unmasked_until([] { return false; }, 5 * period);
    r.check(count_is(0), "masking the line again silences it", "count ", recorded.count);
}

} // namespace

void interrupts() {
    Report r("interrupts");
    set_interrupt_handler(record_interrupt);
    irq_disable();
    time_checks(r);
    ipi_checks(r);
    timer_checks(r);
    device_line_checks(r);
    set_interrupt_handler(nullptr);
    r.finish();
}

} // namespace arch::x86::selftest
