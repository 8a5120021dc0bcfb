// Revocation against a CPU that is using the page, on two simulated CPUs under the schedule explorer: CPU 1
// runs "user code" of domain A (accesses through hostsim's TLB model, which caches what hostsim's walker
// finds in A's page table until the kernel invalidates it), while CPU 0 revokes the page (mem_unmap through
// the real dispatcher) and maps another one there. Once the revocation has returned, no access on CPU 1 may
// reach the old frame: the kernel must have shot down CPU 1, which marked itself when it entered A's space. A
// planted variant that enters the space without marking its CPU must be caught. Failures print their replay
// line.
#include <gtest/gtest.h>

#include <memory>

#include "hostsim/explorer.hpp"
#include "kernel/mapdb/testing/mem_world.hpp"

namespace kernel {
namespace {

namespace spec = janus::abi;
namespace R = janus::abi::rights;
using hostsim::Machine;
using hostsim::Scenario;
using S = spec::Syscall;
using testing::MemWorld;

constexpr std::uint64_t va = 0x4000'0000;
constexpr std::uint64_t first = MemWorld::pool_pa, second = MemWorld::pool_pa + 4096;

struct World {
    World() : w(64, options()) {
        child = &w.k.child_with_thread(10, 1 << 16);
        w.k.ok(S::mem_map, {MemWorld::fp(MemWorld::pool_va, 12, R::read | R::write), 10, va, 0});
        w.k.set_checking(false); // checked once after the run
    }
    static testing::Options options() {
        testing::Options o;
        o.cpus = 2;
        return o;
    }

    MemWorld w;
    Thread* child;
    arch::Atomic<std::uint32_t> revoked{0}; ///< 1 once CPU 0's mem_unmap has returned
    arch::Atomic<std::uint32_t> done{0};
};

/// hostsim's MMU reads A's tables (host memory standing for physical memory) without scheduling points.
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

Scenario revoke_scenario(const char* name, bool mark_cpu) {
    Scenario sc;
    sc.name = name;
    sc.config.cpus = 2;
    sc.config.memory_bytes = 0;
    sc.config.step_budget = 200'000;
    sc.body = [mark_cpu](Machine& m) {
        auto world = std::make_unique<World>();
        World& x = *world;
        m.set_walker(walk);
        m.start(1, [&x, &m, mark_cpu] {
            Pd& a = *x.child->pd;
            arch::AddressSpaceRoot root = mark_cpu ? mapdb::address_space_enter(a.memory, 1)
                                                   : arch::AddressSpaceRoot{a.memory.top_phys, a.memory.asid};
            m.load_root(root.top_table);
            arch::irq_enable(); // user code: interrupts (the shootdown's) get through
            for (int i = 0; i < 64 && !x.done.load(); ++i) {
                arch::cpu_relax(); // lets CPU 0 on (PCT would otherwise starve it)
                const bool after = x.revoked.load() != 0;
                auto pa = m.translate(va, hostsim::access::read | hostsim::access::user);
                if (after)
                    m.check(!pa || *pa == second, "CPU 1 still reaches frame %#llx after the revocation",
                            static_cast<unsigned long long>(pa ? *pa : 0));
                else // CPU 0 may be anywhere in its work meanwhile: the old frame, nothing or the new one
                    m.check(!pa || *pa == first || *pa == second, "CPU 1 reaches frame %#llx",
                            static_cast<unsigned long long>(pa ? *pa : 0));
            }
        });
        m.start(0, [&x] {
            x.w.k.ok(S::mem_unmap, {MemWorld::fp(MemWorld::pool_va, 12, 0), 0});
            x.revoked.store(1);
            x.w.k.ok(S::mem_map, {MemWorld::fp(MemWorld::pool_va + 4096, 12, R::read), 10, va, 0});
            x.done.store(1);
        });
        m.run();
        m.check(x.w.check().empty(), "invariants after the run: %s", x.w.check().c_str());
        m.check(x.w.k.clean(), "the observer saw a violation");
    };
    return sc;
}

hostsim::ExploreReport explore(const Scenario& sc, const char* strategy, std::uint64_t runs) {
    hostsim::ExploreOptions o;
    o.strategy = *hostsim::StrategySpec::parse(strategy);
    o.runs = runs;
    return hostsim::explore(sc, o);
}

TEST(MapdbSim, ARevokedPageIsGoneFromTheTlbOfEveryCpuThatEnteredTheSpace) {
    Scenario sc = revoke_scenario("MapdbSim.revoke", true);
    for (const char* strategy : {"random", "pct3"}) {
        hostsim::ExploreReport r = explore(sc, strategy, 300);
        EXPECT_FALSE(r.failed()) << r.failure_text();
    }
}

TEST(MapdbSim, PlantedACpuThatNeverMarkedItselfKeepsAStaleTranslationAndIsCaught) {
    Scenario sc = revoke_scenario("MapdbSim.planted_unmarked_cpu", false);
    hostsim::ExploreReport r = explore(sc, "random", 300);
    ASSERT_TRUE(r.failed()) << "the explorer must find the missing shootdown";
    EXPECT_EQ(r.failure.verdict, hostsim::Verdict::check_failed);
    EXPECT_NE(r.failure.message.find("after the revocation"), std::string::npos) << r.failure.message;
    EXPECT_TRUE(r.nondeterminism.empty()) << r.nondeterminism;
}

} // namespace
} // namespace kernel
