// The whole kernel path on several simulated CPUs under the schedule explorer: the run loop, the real
// dispatcher, IPC and the scheduler, with threads as logical actors. Each actor's "user mode" checks the
// outcome of its previous syscall in its frame and loads the next one, as ring-3 code would. A lost wake-up
// shows as a deadlock, a wrong message as a failed check; failures print the line that replays them.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "arch/atomic.hpp"
#include "hostsim/explorer.hpp"
#include "kernel/check/check.hpp"
#include "kernel/entry/kernel_host.hpp"
#include "kernel/syscall/testing/test_kernel.hpp"

namespace kernel {
namespace {

namespace spec = janus::abi;
namespace msg = janus::abi::msg;
using hostsim::Machine;
using hostsim::Scenario;
using S = spec::Syscall;
using testing::TestKernel;

/// Loads syscall `s` with arguments into a frame, as a user stub would.
void load(arch::UserFrame& f, S s, std::uint64_t a0 = 0, std::uint64_t a1 = 0, std::uint64_t a2 = 0,
          std::uint64_t a3 = 0, std::uint64_t a4 = 0, std::uint64_t a5 = 0) {
    f.rax = static_cast<std::uint64_t>(s);
    f.rdi = a0;
    f.rsi = a1;
    f.rdx = a2;
    f.r10 = a3;
    f.r8 = a4;
    f.r9 = a5;
}

bool check(bool ok, const char* what, std::uint64_t value) {
    return Machine::current()->check(ok, "%s (%#llx)", what, static_cast<unsigned long long>(value));
}

/// Threads as programs: step k sees the frame after the k-th syscall and loads the next one.
struct Actors {
    using Program = std::function<void(arch::UserFrame& f, int step)>;
    struct Actor {
        Program program;
        int step = 0;
    };

    arch::AddressSpaceRoot enter(Thread&) { return {}; }
    /// As a CPU runs ring 3 from the thread's frame in place (kernel_host.hpp): it takes the registers when
    /// user mode begins and writes them back at the next kernel entry, without the kernel lock, unless a
    /// leave request (arch::leave_user) took it out of user mode first; then it writes nothing more.
    /// Syscalls go to the kernel's hook first, as run_user does (arch::SyscallHook).
    arch::UserExit run(Thread& t, arch::UserFrame& f, arch::AddressSpaceRoot, const arch::SyscallHook* hook) {
        Machine& m = *Machine::current();
        Actor& a = actors.at(&t);
        for (;;) {
            const arch::UserFrame registers = f;
            m.set_in_user(true);
            arch::irq_enable(); // user mode: interrupts get through
            arch::preemption_point();
            arch::preemption_point();
            arch::irq_disable();
            const std::optional<unsigned> reentry = m.take_user_reentry();
            m.set_in_user(false);
            if (reentry)
                return arch::UserExit{arch::UserExit::Kind::interrupt, static_cast<arch::Vector>(*reentry), 0,
                                      0};
            f = registers; // the entry path saves what the CPU held
            a.program(f, a.step++);
            if (!hook) return arch::UserExit{arch::UserExit::Kind::syscall, 0, 0, 0};
            if (!hook->resume(hook->context))
                return arch::UserExit{arch::UserExit::Kind::syscall_done, 0, 0, 0};
        }
    }
    bool exception(Thread&, const arch::UserExit&) { return false; }
    // Called by every CPU's run loop with the kernel lock held (which orders `kicked`); `done` is set by the
    // actors' user code on any CPU, outside the lock, so it is an atomic as it would be in ring 3.
    bool finished() {
        const bool all_done = done.load(arch::MemoryOrder::acquire) != 0;
        if (all_done && !kicked) {
            kicked = true;
            std::uint64_t all = (std::uint64_t{1} << Machine::current()->cpu_count()) - 1;
            sched::send_kicks(all & ~(std::uint64_t{1} << arch::cpu_id()));
        }
        return all_done;
    }

    std::map<const Thread*, Actor> actors;
    arch::Atomic<std::uint8_t> done{0}; // a flag (Atomic holds no bool)
    bool kicked = false;
};

constexpr std::uint64_t ep = 10;
constexpr std::uint64_t reply_slot = 50;
constexpr int rounds = 3;

/// A world: `cpus` CPUs, an endpoint, one server on CPU 1 answering w0 + 1000, and clients on the given CPUs
/// each calling `rounds` times; the run ends when every client is done.
struct CallWorld {
    CallWorld(unsigned cpus, const std::vector<std::uint32_t>& client_cpus) : k(options(cpus)) {
        k.ok(S::endpoint_create, {ep});
        Thread& server = thread(20, 1);
        actors.actors[&server].program = [](arch::UserFrame& f, int step) {
            if (step == 0) {
                // First entry: take calls.
                load(f, S::ipc_recv, ep, spec::timeout_never);
                return;
            }
            check(f.rax == 0, "server: receive failed", f.rax);
            check((f.rdi & msg::call_flag) != 0, "server: not a call", f.rdi);
            load(f, S::ipc_reply_recv, ep, msg::info(0, 1), spec::timeout_never, f.rdx + 1000);
        };
        spec::Utcb* su = static_cast<spec::Utcb*>(server.utcb_page);
        su->reply_sel = reply_slot;
        std::uint64_t sel = 30;
        for (std::uint32_t cpu : client_cpus) {
            Thread& c = thread(sel, cpu);
            std::uint64_t base = sel * 100;
            actors.actors[&c].program = [this, base, sel](arch::UserFrame& f, int step) {
                if (step > 0) {
                    check(f.rax == 0, "client: call failed", f.rax);
                    check(f.rdx == base + static_cast<std::uint64_t>(step - 1) + 1000, "client: wrong answer",
                          f.rdx);
                }
                if (step < rounds) {
                    load(f, S::ipc_call, ep, msg::info(7, 1), spec::timeout_never,
                         base + static_cast<std::uint64_t>(step));
                } else {
                    load(f, S::thread_stop, sel); // done: stop itself
                    if (clients_done.fetch_add(1) + 1 == clients)
                        actors.done.store(1, arch::MemoryOrder::release);
                }
            };
            ++clients;
            ++sel;
        }
    }
    static testing::Options options(unsigned cpus) {
        testing::Options o;
        o.cpus = cpus;
        return o;
    }
    Thread& thread(std::uint64_t sel, std::uint32_t cpu) {
        k.ok(S::thread_create, {sel, spec::root_sel::pd, 0x10000 + sel * 0x1000, 100, cpu});
        k.ok(S::thread_start, {sel, 0x400000, 0x7ff000});
        return k.at<Thread>(k.root(), sel);
    }

    TestKernel k;
    Actors actors;
    int clients = 0;
    arch::Atomic<int> clients_done{0}; // counted by clients on several CPUs
};

Scenario call_scenario(const char* name, unsigned cpus, std::initializer_list<std::uint32_t> client_cpus) {
    Scenario sc;
    sc.name = name;
    sc.config.cpus = cpus;
    sc.config.memory_bytes = 0;
    sc.config.step_budget = 400'000;
    std::vector<std::uint32_t> clients(client_cpus);
    sc.body = [cpus, clients](Machine& m) {
        // Built inside the body: every execution starts from a fresh kernel.
        auto world = std::make_unique<CallWorld>(cpus, clients);
        world->k.set_checking(false); // the checker's page-table walks would cost thousands of steps per call
        for (unsigned c = 0; c < cpus; ++c)
            m.start(c, [&world] { run_cpu(world->k.kernel(), world->actors); });
        m.run();
        CheckResult sound = check_kernel(world->k.kernel());
        m.check(sound.ok, "invariants after the run: %s", sound.text);
        m.check(world->clients_done.load() == world->clients, "%d of %d clients finished",
                world->clients_done.load(), world->clients);
        m.check(world->k.clean(), "the observer saw a violation: %s",
                world->k.violations().empty() ? "" : world->k.violations().front().c_str());
    };
    return sc;
}

void explore_all(const Scenario& sc, std::uint64_t runs) {
    for (const char* strategy : {"random", "pct3"}) {
        hostsim::ExploreOptions o;
        o.strategy = *hostsim::StrategySpec::parse(strategy);
        o.runs = runs;
        hostsim::ExploreReport r = hostsim::explore(sc, o);
        EXPECT_FALSE(r.failed()) << r.failure_text();
    }
}

/// CPU 0 stops the thread running on CPU 1 and starts it again at a new ip: whatever CPU 1 was doing with the
/// old registers in user mode meanwhile, the thread must come back at the new ip (Scheduler::unload, and
/// arch::leave_user: CPU 1's entry path writes the frame it runs from, which start() rewrites).
struct RestartWorld {
    RestartWorld() : k(CallWorld::options(2)) {
        k.ok(S::notification_create, {13});
        Thread& worker = thread(20, 1);
        Thread& boss = thread(21, 0);
        actors.actors[&worker].program = [this](arch::UserFrame& f, int) {
            if (f.rip == new_ip) {
                actors.done.store(1, arch::MemoryOrder::release);
                load(f, S::thread_stop, 20);
            } else {
                load(f, S::notify_wait, 13, 1000); // waits a while: a strategy cannot starve CPU 0 for ever
            }
        };
        actors.actors[&boss].program = [](arch::UserFrame& f, int step) {
            if (step == 0)
                load(f, S::thread_stop, 20);
            else if (step == 1)
                load(f, S::thread_start, 20, new_ip, 0x6000);
            else
                load(f, S::thread_stop, 21);
        };
    }
    Thread& thread(std::uint64_t sel, std::uint32_t cpu) {
        k.ok(S::thread_create, {sel, spec::root_sel::pd, 0x10000 + sel * 0x1000, 100, cpu});
        k.ok(S::thread_start, {sel, 0x400000, 0x7ff000});
        return k.at<Thread>(k.root(), sel);
    }
    static constexpr std::uint64_t new_ip = 0x5000;
    TestKernel k;
    Actors actors;
};

Scenario restart_scenario() {
    Scenario sc;
    sc.name = "ipc.restart_running_thread";
    sc.config.cpus = 2;
    sc.config.memory_bytes = 0;
    sc.body = [](Machine& m) {
        auto world = std::make_unique<RestartWorld>();
        world->k.set_checking(false);
        for (unsigned c = 0; c < 2; ++c) m.start(c, [&world] { run_cpu(world->k.kernel(), world->actors); });
        m.run();
        CheckResult sound = check_kernel(world->k.kernel());
        m.check(sound.ok, "invariants after the run: %s", sound.text);
        m.check(world->actors.done.load() != 0, "the restarted thread never ran at its new ip");
        m.check(world->k.clean(), "the observer saw a violation");
    };
    return sc;
}

TEST(IpcSim, AThreadStoppedAndRestartedWhileInUserModeRunsFromItsNewIp) {
    explore_all(restart_scenario(), 100);
}

TEST(IpcSim, CallAndReplyRecvAcrossTwoCpus) {
    explore_all(call_scenario("ipc.call_two_cpus", 2, {0}), 60);
}

TEST(IpcSim, TwoClientsOnTwoCpusShareAServerOnAThird) {
    explore_all(call_scenario("ipc.call_three_cpus", 3, {0, 2}), 40);
}

} // namespace
} // namespace kernel
