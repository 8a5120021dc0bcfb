// The legacy periodic timer (device line 0, arch/irq_lines.hpp) through the whole kernel path on hostsim:
// the run loop takes vector 0x20 on CPU 0, ipc::interrupt signals the bound notification, and the driver
// thread, a logical actor on CPU 1, wakes there (a cross-CPU kick), acknowledges and waits again. Binding
// inside the run unmasks the line, which starts the machine's periodic source; deleting the irq masks it
// again. Virtual time makes the tick spacing exact up to the few scheduling steps in between.
#include <gtest/gtest.h>

#include <functional>
#include <memory>

#include "hostsim/explorer.hpp"
#include "hostsim/irq_lines.hpp"
#include "kernel/check/check.hpp"
#include "kernel/entry/kernel_host.hpp"
#include "kernel/syscall/testing/test_kernel.hpp"

namespace kernel {
namespace {

namespace spec = janus::abi;
using hostsim::Machine;
using hostsim::Scenario;
using S = spec::Syscall;
using testing::TestKernel;

constexpr std::uint64_t irq = 40, ntf = 13, driver_sel = 20;
constexpr std::uint64_t tick_bit = 4;
constexpr int ticks = 4;
constexpr std::uint64_t period = 1'000'000'000 / arch::irq_line_timer_hz;

void load(arch::UserFrame& f, S s, std::uint64_t a0 = 0, std::uint64_t a1 = 0, std::uint64_t a2 = 0) {
    f.rax = static_cast<std::uint64_t>(s);
    f.rdi = a0;
    f.rsi = a1;
    f.rdx = a2;
}

bool check(bool ok, const char* what, std::uint64_t value) {
    return Machine::current()->check(ok, "%s (%llu)", what, static_cast<unsigned long long>(value));
}

/// The driver's program, one step per kernel entry: bind, then `ticks` times wait + acknowledge, then delete
/// the irq and find the notification quiet for 5 periods; then it stops itself.
struct Driver {
    arch::AddressSpaceRoot enter(Thread&) { return {}; }
    arch::UserExit run(Thread&, arch::UserFrame& f, arch::AddressSpaceRoot, const arch::SyscallHook*) {
        arch::irq_enable(); // user mode: interrupts get through
        arch::preemption_point();
        arch::irq_disable();
        step(f);
        return arch::UserExit{arch::UserExit::Kind::syscall, 0, 0, 0};
    }
    bool exception(Thread&, const arch::UserExit&) { return false; }
    bool finished() {
        if (done && !kicked) { // CPU 1's loop may be idle: wake it to see the end
            kicked = true;
            sched::send_kicks(std::uint64_t{1} << (1 - arch::cpu_id()));
        }
        return done;
    }

    void step(arch::UserFrame& f) {
        const int k = n++;
        if (k == 0) return load(f, S::irq_bind, irq, ntf, tick_bit);
        if (k == 1) {
            check(f.rax == 0, "irq_bind failed", f.rax);
            check(hostsim::irq_lines_unmasked() == 1, "binding did not unmask line 0 alone",
                  hostsim::irq_lines_unmasked());
            bound_at = arch::time_now();
            return load(f, S::notify_wait, ntf, spec::timeout_never);
        }
        // Steps 2, 4, ..: a wait ended; 3, 5, ..: an acknowledgement returned.
        if (k < 2 + 2 * ticks) {
            if (k % 2 == 0) {
                check(f.rax == 0 && f.rdi == std::uint64_t{1} << tick_bit,
                      "the wait did not end with the tick bit", f.rdi);
                times[(k - 2) / 2] = arch::time_now();
                return load(f, S::irq_ack, irq);
            }
            check(f.rax == 0, "irq_ack failed", f.rax);
            return load(f, S::notify_wait, ntf, spec::timeout_never);
        }
        if (k == 2 + 2 * ticks) return load(f, S::cap_delete, irq);
        if (k == 3 + 2 * ticks) {
            check(f.rax == 0, "cap_delete failed", f.rax);
            check(hostsim::irq_lines_unmasked() == 0, "deleting the irq did not mask its line",
                  hostsim::irq_lines_unmasked());
            return load(f, S::notify_wait, ntf, 5 * period);
        }
        check(f.rax == static_cast<std::uint64_t>(spec::Error::timeout), "a deleted irq's line still signals",
              f.rax);
        done = true;
        load(f, S::thread_stop, driver_sel);
    }

    int n = 0;
    bool done = false;
    bool kicked = false;
    std::uint64_t bound_at = 0;
    std::uint64_t times[ticks] = {};
};

struct World {
    World() : k(options()) {
        k.ok(S::notification_create, {ntf});
        k.ok(S::irq_create, {irq, spec::root_sel::irq_control, arch::irq_line_timer});
        k.ok(S::thread_create, {driver_sel, spec::root_sel::pd, 0x10000, 100, 1});
        k.ok(S::thread_start, {driver_sel, 0x400000, 0x7ff000});
    }
    static testing::Options options() {
        testing::Options o;
        o.cpus = 2;
        return o;
    }
    TestKernel k;
    Driver driver;
};

Scenario timer_scenario() {
    Scenario sc;
    sc.name = "irq.timer_line_to_a_driver";
    sc.config.cpus = 2;
    sc.config.memory_bytes = 0;
    sc.config.step_budget = 400'000;
    sc.body = [](Machine& m) {
        hostsim::reset_irq_lines();
        auto world = std::make_unique<World>();
        world->k.set_checking(false); // keep each execution short; the checker runs at the end
        for (unsigned c = 0; c < 2; ++c) m.start(c, [&world] { run_cpu(world->k.kernel(), world->driver); });
        m.run();
        const Driver& d = world->driver;
        m.check(d.done, "the driver stopped after %d of its steps", d.n);
        // Tick k comes period * k after the bind, give or take the steps the schedule puts in between (the
        // bind is timed when its syscall returns, a few steps after the line was unmasked).
        for (int i = 0; d.done && i < ticks; ++i) {
            const std::uint64_t since = d.times[i] - d.bound_at,
                                due = period * static_cast<std::uint64_t>(i + 1);
            m.check(since + period / 4 > due && since < due + period / 4,
                    "tick %d came %llu ns after the bind, due at %llu", i + 1,
                    static_cast<unsigned long long>(since), static_cast<unsigned long long>(due));
        }
        CheckResult sound = check_kernel(world->k.kernel());
        m.check(sound.ok, "invariants after the run: %s", sound.text);
        m.check(world->k.clean(), "the observer saw a violation");
    };
    return sc;
}

TEST(IrqSim, TheTimerLineTicksIntoADriverOnAnotherCpuUntilItsIrqIsDeleted) {
    for (const char* strategy : {"random", "pct3"}) {
        hostsim::ExploreOptions o;
        o.strategy = *hostsim::StrategySpec::parse(strategy);
        o.runs = 30;
        hostsim::ExploreReport r = hostsim::explore(timer_scenario(), o);
        EXPECT_FALSE(r.failed()) << r.failure_text();
    }
}

} // namespace
} // namespace kernel
