// Two or three CPUs enter one address space for the first time at once, and the space is unmapped while
// they use it, on simulated CPUs whose shootdowns follow the IPI protocol (hostsim Machine::shootdown): a
// target drops its cached translations only when it takes the request with interrupts enabled, and the
// unmapping CPU's shootdown waits for every acknowledgement. Everything kernel-side is the real code: the
// run loop's big lock (kernel::sched::lock_kernel), address_space_enter marking the CPU, mem_unmap through
// the dispatcher revoking the pages from domain A, mapdb::finish's shootdown of the CPUs marked in the space.
//
// Each user CPU loops like the run loop (at most 12 rounds): a kernel entry, in which the kernel reads the
// thread's memory with interrupts masked (through the TLB: what the CPU cached before), lock, enter A (the
// first round marks the CPU and loads A, concurrently with the others and with the unmap), unlock, then "user
// code" with interrupts enabled: accesses to A's four pages through hostsim's TLB model. CPU 0, the kernel on
// behalf of the root, revokes the four pages (their frames are then counted as reused: a translation cached
// before and used after is a stale translation) and maps four others there. Once the revocation has returned
// no user CPU may reach an old frame. Failures print their replay line (`./janus sim replay LINE`; ctest
// mapdb.MapdbShootdownSim.*).
#include <gtest/gtest.h>

#include <array>
#include <memory>

#include "hostsim/explorer.hpp"
#include "kernel/mapdb/testing/mem_world.hpp"
#include "kernel/sched/cpu_loop.hpp"

namespace kernel {
namespace {

namespace R = janus::abi::rights;
using hostsim::Machine;
using hostsim::Scenario;
using S = janus::abi::Syscall;
using testing::MemWorld;

constexpr std::uint64_t va = 0x4000'0000, pages = 4;
constexpr std::uint64_t first = MemWorld::pool_pa, second = MemWorld::pool_pa + pages * 4096;

struct World {
    explicit World(unsigned cpus) : w(64, options(cpus)) {
        child = &w.k.child_with_thread(10, 1 << 16);
        w.k.ok(S::mem_map, {MemWorld::fp(MemWorld::pool_va, 14, R::read | R::write), 10, va, 0});
        w.k.set_checking(false); // checked once after the run
    }
    static testing::Options options(unsigned cpus) {
        testing::Options o;
        o.cpus = cpus;
        return o;
    }

    MemWorld w;
    Thread* child;
    arch::Atomic<std::uint32_t> revoked{0}; ///< 1 once CPU 0's mem_unmap has returned
    arch::Atomic<std::uint32_t> done{0};
    std::array<std::uint64_t, 2 * pages> generation{}; ///< per pool frame: bumped when it is reused
};

std::optional<hostsim::Translation> walk(std::uint64_t root, std::uint64_t address) {
    hostsim::PagingMode mode;
    mode.pat = arch::PteEncoding::pat_msr;
    auto read = [](std::uint64_t pa) { return hostsim::peek(reinterpret_cast<const void*>(pa)); };
    hostsim::PageWalk pw = hostsim::walk(read, root, address, mode);
    if (pw.outcome != hostsim::PageWalk::Outcome::mapped) return std::nullopt;
    hostsim::Translation t;
    t.page_size = pw.page_size;
    t.frame = pw.phys & ~(pw.page_size - 1);
    t.rights = hostsim::access::read | (pw.writable ? hostsim::access::write : 0) |
               (pw.executable ? hostsim::access::execute : 0) | (pw.user ? hostsim::access::user : 0);
    t.global = pw.global;
    return t;
}

/// One access by `cpu` to page `p` of A, checked: before the revocation returned, an old frame, a new one or
/// a fault; after it, a new frame or a fault.
void access(World& x, Machine& m, unsigned cpu, std::uint64_t p) {
    const bool after = x.revoked.load() != 0;
    const std::uint64_t at = va + p * 4096;
    auto pa = m.translate(at, hostsim::access::read | hostsim::access::user);
    const std::uint64_t old = first + (at - va), fresh = second + (at - va);
    if (after)
        m.check(!pa || *pa == fresh, "cpu%u still reaches frame %#llx after the revocation", cpu,
                static_cast<unsigned long long>(pa ? *pa : 0));
    else
        m.check(!pa || *pa == old || *pa == fresh, "cpu%u reaches frame %#llx", cpu,
                static_cast<unsigned long long>(pa ? *pa : 0));
}

void user_cpu(World& x, Machine& m, unsigned cpu) {
    Spinlock& lock = x.w.k.kernel().lock;
    Pd& a = *x.child->pd;
    for (unsigned round = 0; round == 0 || (round < 12 && !x.done.load()); ++round) {
        arch::cpu_relax();   // lets CPU 0 on (PCT would otherwise starve it)
        arch::irq_disable(); // a kernel entry
        // The kernel reads the thread's memory (a syscall's arguments) through the loaded space with
        // interrupts masked: a shootdown request waits meanwhile, and what this CPU cached is still used.
        if (round > 0) access(x, m, cpu, round % pages);
        sched::lock_kernel(lock);
        const arch::AddressSpaceRoot root = mapdb::address_space_enter(a.memory, cpu);
        lock.unlock();
        if (round == 0) m.load_root(root.top_table); // later rounds find A loaded: no CR3 write, no flush
        arch::irq_enable();                          // user mode
        for (std::uint64_t p = 0; p < pages; ++p) access(x, m, cpu, (p + round) % pages);
    }
    arch::irq_disable();
}

Scenario enter_and_unmap(const char* name, unsigned cpus) {
    Scenario sc;
    sc.name = name;
    sc.config.cpus = cpus;
    sc.config.memory_bytes = 0;
    sc.config.step_budget = 300'000;
    sc.body = [cpus](Machine& m) {
        auto world = std::make_unique<World>(cpus);
        World& x = *world;
        m.set_walker(walk);
        m.set_frame_generation([&x](std::uint64_t frame) {
            const std::uint64_t i = (frame - first) / 4096;
            return frame >= first && i < x.generation.size() ? x.generation[i] : 0;
        });
        for (unsigned c = 1; c < cpus; ++c) m.start(c, [&x, &m, c] { user_cpu(x, m, c); });
        m.start(0, [&x] {
            // The root's syscalls (kernel::syscall takes the big lock), with interrupts masked as in the
            // kernel.
            x.w.k.ok(S::mem_unmap, {MemWorld::fp(MemWorld::pool_va, 14, 0), 0});
            x.revoked.store(1);
            for (std::uint64_t p = 0; p < pages; ++p) ++x.generation[p]; // the old frames go to someone else
            x.w.k.ok(S::mem_map, {MemWorld::fp(MemWorld::pool_va + pages * 4096, 14, R::read), 10, va, 0});
            x.done.store(1);
        });
        m.run();
        m.check(x.w.check().empty(), "invariants after the run: %s", x.w.check().c_str());
        m.check(x.w.k.clean(), "the observer saw a violation");
        const std::uint64_t marked = x.child->pd->memory.cpus.raw();
        m.check(m.outcome().failed() || (marked & ~std::uint64_t{1}) == ((std::uint64_t{1} << cpus) - 2),
                "cpus marked in the space: %#llx", static_cast<unsigned long long>(marked));
    };
    return sc;
}

hostsim::ExploreReport explore(const Scenario& sc, const char* strategy, std::uint64_t runs) {
    hostsim::ExploreOptions o;
    o.strategy = *hostsim::StrategySpec::parse(strategy);
    o.runs = runs;
    return hostsim::explore(sc, o);
}

TEST(MapdbShootdownSim, TwoCpusEnterASpaceTogetherAndItsUnmapReachesBoth) {
    Scenario sc = enter_and_unmap("MapdbShootdownSim.two_enter", 3);
    for (const char* strategy : {"random", "pct3"}) {
        hostsim::ExploreReport r = explore(sc, strategy, 500);
        EXPECT_FALSE(r.failed()) << r.failure_text();
    }
}

TEST(MapdbShootdownSim, ThreeCpusEnterASpaceTogetherAndItsUnmapReachesAll) {
    Scenario sc = enter_and_unmap("MapdbShootdownSim.three_enter", 4);
    for (const char* strategy : {"random", "pct3"}) {
        hostsim::ExploreReport r = explore(sc, strategy, 300);
        EXPECT_FALSE(r.failed()) << r.failure_text();
    }
}

} // namespace
} // namespace kernel
