// The TLB model (hostsim/tlb.hpp): translations stay cached until invalidated; using one whose frame was
// freed or whose page was remapped fails the run; an unmapped page may be used until the shootdown while its
// frame is still allocated, as on x86.
#include <gtest/gtest.h>

#include "arch/atomic.hpp"
#include "arch/cpu.hpp"
#include "hostsim/machine.hpp"

namespace hostsim {
namespace {

// A one-level toy page table: entry i maps page i (4 KiB) to entry & ~0xfff if bit 0 is set; bit 8 = global.
struct ToyTables {
    arch::Atomic<std::uint64_t> pte[8]{};
    std::uint64_t generation[64] = {}; // per frame number

    Walker walker() {
        return [this](std::uint64_t, std::uint64_t va) -> std::optional<Translation> {
            std::uint64_t e = peek(&pte[(va >> 12) & 7]);
            if (!(e & 1) || va >= 8 * 4096) return std::nullopt;
            return Translation{e & ~0xfffull, 4096, access::read | access::write, (e & 0x100) != 0};
        };
    }
    FrameGeneration frames() {
        return [this](std::uint64_t frame) { return generation[(frame >> 12) & 63]; };
    }
};

Config two_cpus() {
    Config c;
    c.cpus = 2;
    c.memory_bytes = 0;
    return c;
}

TEST(Tlb, CachesUntilInvalidated) {
    Machine m(two_cpus());
    ToyTables t;
    m.set_walker(t.walker());
    m.set_frame_generation(t.frames());
    t.pte[1].store(0x5000 | 1);
    std::optional<std::uint64_t> first, cached, fresh;
    m.start(0, [&] {
        first = m.translate(0x1234, access::read);
        t.pte[1].store(0x5000 | 1); // same mapping: no change
        cached = m.translate(0x1238, access::write);
        m.invalidate_page(0x1000);
        t.pte[1].store(0x7000 | 1);
        fresh = m.translate(0x1234, access::read);
    });
    EXPECT_TRUE(m.run()) << m.outcome().message;
    EXPECT_EQ(first, 0x5234u);
    EXPECT_EQ(cached, 0x5238u);
    EXPECT_EQ(fresh, 0x7234u);
    EXPECT_EQ(m.tlb(0).size(), 1u);
    EXPECT_EQ(m.tlb(1).size(), 0u);
}

TEST(Tlb, AnUnmappedPageIsAFault) {
    Machine m(two_cpus());
    ToyTables t;
    m.set_walker(t.walker());
    std::optional<std::uint64_t> r = 1;
    m.start(0, [&] { r = m.translate(0x3000, access::read); });
    EXPECT_TRUE(m.run());
    EXPECT_FALSE(r);
}

TEST(Tlb, UsingARemappedPageWithoutInvalidationFails) {
    Machine m(two_cpus());
    ToyTables t;
    m.set_walker(t.walker());
    t.pte[2].store(0x9000 | 1);
    m.start(0, [&] {
        m.translate(0x2000, access::read);
        t.pte[2].store(0xa000 | 1);
        m.translate(0x2000, access::read);
    });
    EXPECT_FALSE(m.run());
    EXPECT_EQ(m.outcome().verdict, Verdict::stale_translation);
    EXPECT_NE(m.outcome().message.find("0xa000"), std::string::npos) << m.outcome().message;
}

TEST(Tlb, AnUnmappedPageMayBeUsedUntilItsFrameIsFreed) {
    Machine m(two_cpus());
    ToyTables t;
    m.set_walker(t.walker());
    m.set_frame_generation(t.frames());
    t.pte[2].store(0x9000 | 1);
    std::optional<std::uint64_t> during;
    m.start(0, [&] {
        m.translate(0x2000, access::read);
        t.pte[2].store(0);
        during = m.translate(0x2000, access::read); // stale but harmless: the frame is still ours
        t.generation[9]++;                          // freed without a shootdown
        m.translate(0x2000, access::read);
    });
    EXPECT_FALSE(m.run());
    EXPECT_EQ(during, 0x9000u);
    EXPECT_EQ(m.outcome().verdict, Verdict::stale_translation);
    EXPECT_NE(m.outcome().message.find("freed"), std::string::npos) << m.outcome().message;
}

TEST(Tlb, AddressSpaceSwitchKeepsOnlyGlobalTranslations) {
    Machine m(two_cpus());
    ToyTables t;
    m.set_walker(t.walker());
    t.pte[0].store(0x1000 | 1 | 0x100);
    t.pte[1].store(0x2000 | 1);
    std::size_t before = 0, after = 0;
    m.start(0, [&] {
        m.translate(0x0, access::read);
        m.translate(0x1000, access::read);
        before = m.tlb(0).size();
        m.load_root(0x42);
        after = m.tlb(0).size();
    });
    EXPECT_TRUE(m.run());
    EXPECT_EQ(before, 2u);
    EXPECT_EQ(after, 1u);
}

TEST(Tlb, ShootdownDropsTheTranslationOnOtherCpus) {
    Machine m(two_cpus());
    ToyTables t;
    m.set_walker(t.walker());
    m.set_frame_generation(t.frames());
    t.pte[3].store(0x8000 | 1);
    arch::Atomic<int> step{0};
    std::optional<std::uint64_t> last = 1;
    m.start(0, [&] {
        m.translate(0x3000, access::read);
        step.store(1);
        arch::irq_enable(); // user code: the shootdown's interrupt gets through
        while (step.load() != 2) arch::cpu_relax();
        arch::irq_disable();
        last = m.translate(0x3000, access::read);
    });
    m.start(1, [&] {
        while (step.load() != 1) arch::cpu_relax();
        t.pte[3].store(0);
        m.shootdown(1u << 0, 0x3000);
        t.generation[8]++;
        step.store(2);
    });
    EXPECT_TRUE(m.run()) << m.outcome().message;
    EXPECT_FALSE(last);
}

} // namespace
} // namespace hostsim
