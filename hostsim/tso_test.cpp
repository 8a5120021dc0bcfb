// x86-TSO: the litmus tests of Intel SDM vol. 3A 8.2.3 and Owens/Sarkar/Sewell ("A better x86 memory model:
// x86-TSO"), explored exhaustively. Expected outcome sets are those the model allows, worked out by hand.
#include <gtest/gtest.h>

#include <set>

#include "arch/atomic.hpp"
#include "hostsim/explorer.hpp"

namespace hostsim {
namespace {

using arch::MemoryOrder;

// Runs every schedule of a two-CPU program and collects the observed outcomes.
template <typename Program>
std::set<std::string> outcomes(bool tso, Program program, std::uint64_t* runs = nullptr) {
    std::set<std::string> seen;
    Scenario s;
    s.name = "test.litmus";
    s.config.cpus = 2;
    s.config.tso = tso;
    s.config.memory_bytes = 0;
    s.body = [&](Machine& m) { seen.insert(program(m)); };
    ExploreOptions o;
    o.strategy = *StrategySpec::parse("dfs");
    o.runs = 100000;
    ExploreReport r = explore(s, o);
    EXPECT_FALSE(r.failed()) << r.failure_text();
    EXPECT_TRUE(r.exhausted);
    if (runs) *runs = r.runs;
    return seen;
}

// SB (SDM 8.2.3.4: loads may be reordered with older stores to other locations).
std::string store_buffering(Machine& m, bool fence) {
    arch::Atomic<int> x{0}, y{0};
    int r0 = -1, r1 = -1;
    m.start(0, [&] {
        x.store(1, MemoryOrder::relaxed);
        if (fence) arch::fence();
        r0 = y.load(MemoryOrder::relaxed);
    });
    m.start(1, [&] {
        y.store(1, MemoryOrder::relaxed);
        if (fence) arch::fence();
        r1 = x.load(MemoryOrder::relaxed);
    });
    m.run();
    return std::to_string(r0) + std::to_string(r1);
}

TEST(Tso, StoreBufferingUnderSequentialConsistency) {
    EXPECT_EQ(outcomes(false, [](Machine& m) { return store_buffering(m, false); }),
              (std::set<std::string>{"01", "10", "11"}));
}

TEST(Tso, StoreBufferingUnderTsoAllowsBothZero) {
    EXPECT_EQ(outcomes(true, [](Machine& m) { return store_buffering(m, false); }),
              (std::set<std::string>{"00", "01", "10", "11"}));
}

TEST(Tso, MfenceForbidsBothZero) {
    EXPECT_EQ(outcomes(true, [](Machine& m) { return store_buffering(m, true); }),
              (std::set<std::string>{"01", "10", "11"}));
}

TEST(Tso, ReleaseAndAcquireFencesAreFreeOnX86AndDoNotHelp) {
    auto weak_fences = [](Machine& m) {
        arch::Atomic<int> x{0}, y{0};
        int r0 = -1, r1 = -1;
        m.start(0, [&] {
            x.store(1, MemoryOrder::release);
            arch::fence(MemoryOrder::acq_rel);
            r0 = y.load(MemoryOrder::acquire);
        });
        m.start(1, [&] {
            y.store(1, MemoryOrder::release);
            arch::fence(MemoryOrder::acq_rel);
            r1 = x.load(MemoryOrder::acquire);
        });
        m.run();
        return std::to_string(r0) + std::to_string(r1);
    };
    EXPECT_TRUE(outcomes(true, weak_fences).count("00"));
}

TEST(Tso, LockedOperationsDrainTheBuffer) {
    auto xchg = [](Machine& m) {
        arch::Atomic<int> x{0}, y{0};
        int r0 = -1, r1 = -1;
        m.start(0, [&] {
            x.exchange(1);
            r0 = y.load(MemoryOrder::relaxed);
        });
        m.start(1, [&] {
            y.exchange(1);
            r1 = x.load(MemoryOrder::relaxed);
        });
        m.run();
        return std::to_string(r0) + std::to_string(r1);
    };
    EXPECT_EQ(outcomes(true, xchg), (std::set<std::string>{"01", "10", "11"}));
}

// MP (SDM 8.2.3.2: stores are not reordered with other stores, loads not with other loads).
TEST(Tso, MessagePassingNeverSeesTheFlagWithoutTheData) {
    auto mp = [](Machine& m) {
        arch::Atomic<int> data{0}, flag{0};
        int r1 = -1, r2 = -1;
        m.start(0, [&] {
            data.store(1, MemoryOrder::relaxed);
            flag.store(1, MemoryOrder::relaxed);
        });
        m.start(1, [&] {
            r1 = flag.load(MemoryOrder::relaxed);
            r2 = data.load(MemoryOrder::relaxed);
        });
        m.run();
        return std::to_string(r1) + std::to_string(r2);
    };
    EXPECT_EQ(outcomes(true, mp), (std::set<std::string>{"00", "01", "11"}));
}

// SDM 8.2.3.5: intra-processor forwarding — each CPU sees its own store early.
TEST(Tso, ACpuReadsItsOwnBufferedStore) {
    auto fwd = [](Machine& m) {
        arch::Atomic<int> x{0}, y{0};
        int r[4] = {-1, -1, -1, -1};
        m.start(0, [&] {
            x.store(1, MemoryOrder::relaxed);
            r[0] = x.load(MemoryOrder::relaxed);
            r[1] = y.load(MemoryOrder::relaxed);
        });
        m.start(1, [&] {
            y.store(1, MemoryOrder::relaxed);
            r[2] = y.load(MemoryOrder::relaxed);
            r[3] = x.load(MemoryOrder::relaxed);
        });
        m.run();
        return std::to_string(r[0]) + std::to_string(r[1]) + std::to_string(r[2]) + std::to_string(r[3]);
    };
    std::set<std::string> seen = outcomes(true, fwd);
    EXPECT_TRUE(seen.count("1010")); // allowed by TSO, impossible under SC
    for (const std::string& o : seen) {
        EXPECT_EQ(o[0], '1') << o;
        EXPECT_EQ(o[2], '1') << o;
    }
}

// One buffered store and one load on another CPU. Hand count of schedules: under SC the load comes before or
// after the store (2). Under TSO, after CPU0's store is buffered and CPU0 is done, CPU1's load may come
// before or after the drain, plus the order with the load first: 3.
TEST(Tso, DfsCountsDrainChoicesAsDecisions) {
    auto program = [](Machine& m) {
        arch::Atomic<int> x{0};
        int r = -1;
        m.start(0, [&] { x.store(1, MemoryOrder::relaxed); });
        m.start(1, [&] { r = x.load(MemoryOrder::relaxed); });
        m.run();
        return std::to_string(r) + std::to_string(x.raw());
    };
    std::uint64_t runs;
    EXPECT_EQ(outcomes(false, program, &runs), (std::set<std::string>{"01", "11"}));
    EXPECT_EQ(runs, 2u);
    EXPECT_EQ(outcomes(true, program, &runs), (std::set<std::string>{"01", "11"}));
    EXPECT_EQ(runs, 3u);
}

TEST(Tso, EveryBufferedStoreReachesMemoryByTheEndOfTheRun) {
    auto program = [](Machine& m) {
        arch::Atomic<std::uint16_t> a{0};
        arch::Atomic<std::uint64_t> b{0};
        m.start(0, [&] {
            a.store(0x1234, MemoryOrder::relaxed);
            b.store(7, MemoryOrder::release);
            b.store(8, MemoryOrder::release);
        });
        m.start(1, [&] { b.store(9, MemoryOrder::relaxed); });
        m.run();
        return std::to_string(a.raw()) + "/" + std::to_string(b.raw());
    };
    EXPECT_EQ(outcomes(true, program), (std::set<std::string>{"4660/8", "4660/9"}));
}

} // namespace
} // namespace hostsim
