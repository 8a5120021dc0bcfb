// The run loop and the scheduler on several simulated CPUs, under the schedule explorer. Threads are logical
// actors: "user mode" is a few scheduling points with interrupts enabled, and each kernel entry runs one step
// of the actor's program under the big kernel lock. A lost wake-up (an IPI or timer that never comes) shows
// as a deadlock verdict, a broken priority rule as a failed check; each failure prints the line that replays
// it.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "arch/atomic.hpp"
#include "hostsim/explorer.hpp"
#include "kernel/sched/cpu_loop.hpp"

namespace kernel::sched {
namespace {

using hostsim::Machine;
using hostsim::Scenario;

struct Actor : Entity {
    char name = '?';
    int steps = 0;                        ///< kernel entries handled
    std::vector<std::uint32_t> cpus_seen; ///< the CPU of each step
    bool timed_out = false;
    std::uint64_t woke_at = 0;
};

/// The common part of the hosts below: the lock, the scheduler, the frame "registers" (which actor each CPU
/// holds) and user mode as scheduling points.
struct HostBase {
    explicit HostBase(unsigned cpus) { sched->init(cpus, 2000); }

    Spinlock& lock() { return big_lock; }
    Scheduler& scheduler() { return *sched; }
    void interrupt(arch::Vector) {}
    void expired(Entity& e) {
        auto& a = static_cast<Actor&>(e);
        a.timed_out = true;
        a.woke_at = sched->now();
        sched->make_ready(a);
    }
    void load(Entity& e) { loaded[arch::cpu_id()] = &static_cast<Actor&>(e); }
    void save(Entity&) {}
    arch::UserExit run(std::uint64_t) {
        arch::irq_enable(); // user mode: interrupts get through
        for (int i = 0; i < 3; ++i) arch::preemption_point();
        arch::irq_disable();
        return arch::UserExit{arch::UserExit::Kind::syscall, 0, 0, 0};
    }
    /// Ends every CPU's loop: they check finished() after the interrupt.
    void finish_all() {
        done = true;
        send_kicks(~std::uint64_t{0} >> (64 - sched->cpu_count()) & ~(std::uint64_t{1} << arch::cpu_id()));
    }
    bool finished() const { return done; }

    Spinlock big_lock;
    std::unique_ptr<Scheduler> sched = std::make_unique<Scheduler>();
    Actor* loaded[arch::max_cpus] = {};
    bool done = false;
};

// --- Ping-pong: A on CPU 0 and B on CPU 1 pass a token, each blocking until it comes back.

struct PingPong : HostBase {
    static constexpr int rounds = 4;
    PingPong() : HostBase(2) {
        a.name = 'A';
        b.name = 'B';
        a.init_sched(100, 0);
        b.init_sched(100, 1);
        sched->make_ready(a);
    }
    void handle(Entity& e, const arch::UserExit&) {
        auto& self = static_cast<Actor&>(e);
        Actor& other = &self == &a ? b : a;
        ++self.steps;
        self.cpus_seen.push_back(arch::cpu_id());
        log += self.name;
        if (log.size() == 2 * rounds) {
            finish_all();
            return;
        }
        sched->make_off(self);    // blocks for the token ...
        sched->make_ready(other); // ... after handing it over (cross-CPU wake-up)
    }
    Actor a, b;
    std::string log;
};

Scenario ping_pong() {
    Scenario sc;
    sc.name = "sched.ping_pong";
    sc.config.cpus = 2;
    sc.config.memory_bytes = 0;
    sc.body = [](Machine& m) {
        auto h = std::make_unique<PingPong>();
        for (unsigned c = 0; c < 2; ++c) m.start(c, [&h] { cpu_loop(*h); });
        m.run();
        m.check(h->log == "ABABABAB", "token order %s", h->log.c_str());
        for (std::uint32_t c : h->a.cpus_seen) m.check(c == 0, "A ran on cpu%u", c);
        for (std::uint32_t c : h->b.cpus_seen) m.check(c == 1, "B ran on cpu%u", c);
    };
    return sc;
}

// --- Remote preemption: W on CPU 0 readies H (high) on CPU 1, where L (low) runs for a long while.

struct Preempt : HostBase {
    Preempt() : HostBase(2) {
        w.name = 'W';
        h.name = 'H';
        l.name = 'L';
        w.init_sched(50, 0);
        h.init_sched(200, 1);
        l.init_sched(10, 1);
        sched->make_ready(w);
        sched->make_ready(l);
    }
    void handle(Entity& e, const arch::UserExit&) {
        auto& self = static_cast<Actor&>(e);
        ++self.steps;
        if (&self == &w) {
            l_steps_at_wake = l.steps;
            sched->make_ready(h);
            sched->make_off(w);
        } else if (&self == &h) {
            l_steps_at_h = l.steps;
            sched->make_off(h);
        } else if (l.steps == l_goal) {
            sched->make_off(l); // bounded, so a strategy that starves CPU 0 still ends
        }
        if (h.steps == 1 && l.steps == l_goal) finish_all();
    }
    static constexpr int l_goal = 100;
    Actor w, h, l;
    int l_steps_at_wake = -1;
    int l_steps_at_h = -1;
};

Scenario remote_preemption() {
    Scenario sc;
    sc.name = "sched.remote_preemption";
    sc.config.cpus = 2;
    sc.config.memory_bytes = 0;
    sc.body = [](Machine& m) {
        auto h = std::make_unique<Preempt>();
        for (unsigned c = 0; c < 2; ++c) m.start(c, [&h] { cpu_loop(*h); });
        m.run();
        m.check(h->h.steps == 1, "H ran %d times", h->h.steps);
        // Once H is ready, CPU 1 runs L at most to the end of the kernel entry in progress.
        m.check(h->l_steps_at_h <= h->l_steps_at_wake + 1, "L made %d steps after H became ready",
                h->l_steps_at_h - h->l_steps_at_wake);
    };
    return sc;
}

// --- Timeout: T blocks with a timeout on CPU 1 and nobody wakes it; the timer must.

struct Timeout : HostBase {
    static constexpr std::uint64_t wait = 50'000;
    Timeout() : HostBase(2) {
        t.name = 'T';
        t.init_sched(100, 1);
        sched->make_ready(t);
    }
    void handle(Entity& e, const arch::UserExit&) {
        auto& self = static_cast<Actor&>(e);
        ++self.steps;
        if (self.steps == 1) {
            deadline = sched->deadline_after(wait);
            sched->make_off(self);
            sched->arm_timeout(self, arch::cpu_id(), deadline);
        } else {
            finish_all();
        }
    }
    Actor t;
    std::uint64_t deadline = 0;
};

Scenario timeout() {
    Scenario sc;
    sc.name = "sched.timeout";
    sc.config.cpus = 2;
    sc.config.memory_bytes = 0;
    sc.body = [](Machine& m) {
        auto h = std::make_unique<Timeout>();
        for (unsigned c = 0; c < 2; ++c) m.start(c, [&h] { cpu_loop(*h); });
        m.run();
        m.check(h->t.timed_out, "the timeout never fired");
        m.check(h->t.woke_at >= h->deadline, "woke at %llu before the deadline %llu",
                static_cast<unsigned long long>(h->t.woke_at), static_cast<unsigned long long>(h->deadline));
        m.check(h->t.steps == 2, "T ran %d times", h->t.steps);
    };
    return sc;
}

// --- Round robin and migration: two equals share CPU 0 by timeslice, then one moves to CPU 2.

struct Share : HostBase {
    static constexpr int goal = 60; // more than one slice's worth of steps
    Share() : HostBase(3) {
        a.name = 'A';
        b.name = 'B';
        a.init_sched(100, 0);
        b.init_sched(100, 0);
        sched->make_ready(a);
        sched->make_ready(b);
    }
    void handle(Entity& e, const arch::UserExit&) {
        auto& self = static_cast<Actor&>(e);
        ++self.steps;
        self.cpus_seen.push_back(arch::cpu_id());
        log += self.name;
        if (&self == &b && self.steps == goal / 2) sched->set_cpu(self, 2);
        if (self.steps == goal) {
            sched->make_off(self);
            if (++finished_actors == 2) finish_all();
        }
    }
    Actor a, b;
    std::string log;
    int finished_actors = 0;
};

Scenario share() {
    Scenario sc;
    sc.name = "sched.share_and_migrate";
    sc.config.cpus = 3;
    sc.config.memory_bytes = 0;
    sc.body = [](Machine& m) {
        auto h = std::make_unique<Share>();
        for (unsigned c = 0; c < 3; ++c) m.start(c, [&h] { cpu_loop(*h); });
        m.run();
        m.check(h->a.steps == Share::goal && h->b.steps == Share::goal, "steps A %d B %d", h->a.steps,
                h->b.steps);
        for (std::uint32_t c : h->a.cpus_seen) m.check(c == 0, "A ran on cpu%u", c);
        // A needs more than one slice, so its slice runs out and B gets CPU 0 before A is done.
        m.check(h->log.find('B') < h->log.rfind('A'), "no round robin: %s", h->log.c_str());
        for (std::size_t i = 0; i < h->b.cpus_seen.size(); ++i) {
            std::uint32_t want = i < Share::goal / 2 ? 0 : 2;
            m.check(h->b.cpus_seen[i] == want, "B's step %zu ran on cpu%u, not cpu%u", i, h->b.cpus_seen[i],
                    want);
        }
    };
    return sc;
}

// --- Device interrupts that wake nobody: the actor they interrupt goes on without the decisions (it is
// loaded once), each vector is served exactly once, and one that does wake somebody still goes to the
// decisions.

struct QuietInterrupts : HostBase {
    static constexpr int quiet = 5; ///< interrupts that change nothing
    static constexpr arch::Vector device = irq_vector_base + 3, waking = irq_vector_base + 4;
    QuietInterrupts() : HostBase(1) {
        a.name = 'A';
        b.name = 'B';
        a.init_sched(100, 0);
        b.init_sched(200, 0); // outranks A once readied
    }
    void load(Entity& e) {
        HostBase::load(e);
        log += static_cast<Actor&>(e).name;
    }
    void interrupt(arch::Vector v) {
        ++served[v == device ? 0 : 1];
        if (v == waking) sched->make_ready(b);
    }
    /// A's runs end in `quiet` device interrupts, then one that readies B, then A's syscall ends the run.
    arch::UserExit run(std::uint64_t decided) {
        HostBase::run(decided);
        const int n = runs++;
        if (loaded[0] == &a && n < quiet) return {arch::UserExit::Kind::interrupt, device, 0, 0};
        if (loaded[0] == &a && n == quiet) return {arch::UserExit::Kind::interrupt, waking, 0, 0};
        return {arch::UserExit::Kind::syscall, 0, 0, 0};
    }
    void handle(Entity& e, const arch::UserExit& exit) {
        if (exit.kind != arch::UserExit::Kind::syscall) return;
        if (&e == &b) {
            sched->make_off(b); // B is done: A again, whose next run ends the scenario
            return;
        }
        finish_all();
    }
    Actor a, b;
    int runs = 0;
    int served[2] = {};
    std::string log; ///< the actors in the order they were loaded
};

Scenario quiet_interrupts() {
    Scenario sc;
    sc.name = "sched.quiet_interrupts";
    sc.config.cpus = 1;
    sc.config.memory_bytes = 0;
    sc.body = [](Machine& m) {
        auto h = std::make_unique<QuietInterrupts>();
        h->sched->make_ready(h->a);
        m.start(0, [&h] { cpu_loop(*h); });
        m.run();
        m.check(h->served[0] == QuietInterrupts::quiet && h->served[1] == 1, "served %d quiet and %d waking",
                h->served[0], h->served[1]);
        m.check(h->log == "ABA", "loads %s: A must stay loaded through the quiet interrupts", h->log.c_str());
    };
    return sc;
}

void explore_all(const Scenario& sc) {
    for (const char* strategy : {"random", "pct3"}) {
        hostsim::ExploreOptions o;
        o.strategy = *hostsim::StrategySpec::parse(strategy);
        o.runs = 150;
        hostsim::ExploreReport r = hostsim::explore(sc, o);
        EXPECT_FALSE(r.failed()) << r.failure_text();
    }
}

// The timer's deadline only moves earlier; one that may fire early is left alone; after it fires, anything
// re-arms it; no event (0) is "never".
TEST(TimerDeadline, ReArmsOnlyForAnEarlierEvent) {
    TimerDeadline t;
    EXPECT_TRUE(t.needs(0)) << "unknown at first: even no event must be armed (disarmed)";
    t.set(1000);
    EXPECT_FALSE(t.needs(1000));
    EXPECT_FALSE(t.needs(5000)) << "armed earlier: it fires early, and the decision then arms 5000";
    EXPECT_FALSE(t.needs(0)) << "no event at all: an early interrupt is harmless";
    EXPECT_TRUE(t.needs(999)) << "an earlier event would be missed";
    t.fired();
    EXPECT_TRUE(t.needs(5000)) << "a timer that fired holds nothing";
    t.set(0);
    EXPECT_TRUE(t.needs(7)) << "disarmed: any event needs it";
    EXPECT_FALSE(t.needs(0));
}

TEST(SchedSim, PingPongAcrossCpusNeverLosesAWakeUp) {
    explore_all(ping_pong());
}
TEST(SchedSim, AHigherPriorityReadiedRemotelyPreemptsAtTheNextEntry) {
    explore_all(remote_preemption());
}
TEST(SchedSim, TheTimerEndsAWaitNobodyEnds) {
    explore_all(timeout());
}
TEST(SchedSim, EqualsShareByTimesliceAndMigrationTakesEffect) {
    explore_all(share());
}
TEST(SchedSim, ADeviceInterruptThatWakesNobodyLeavesTheThreadLoaded) {
    explore_all(quiet_interrupts());
}

} // namespace
} // namespace kernel::sched
