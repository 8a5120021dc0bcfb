// The kernel's own instance on hostsim: entries in simulated RAM through the physical-memory window, tables
// and frames from the buddy allocator, retirements held back until finish() has asked for the shootdown.
#include <gtest/gtest.h>
#include <map>

#include "hostsim/machine.hpp"
#include "hostsim/pagewalk.hpp"
#include "hostsim/tlb_contract.hpp"
#include "kernel/mem/frames.hpp"
#include "kernel/mem/kernel_page_table.hpp"

namespace {

using namespace kernel::mem;

constexpr std::uint64_t K4 = 4096, M2 = 2ull << 20;

TEST(KernelPageTable, RetiredFramesAndTablesWaitForTheShootdown) {
    hostsim::Machine machine;
    machine.run([&] {
        kernel::boot::MemoryMap map;
        map.regions[map.count++] = {1 << 20, (32 << 20) - (1 << 20), kernel::boot::MemoryType::usable};
        FrameAllocator frames;
        ASSERT_TRUE(init_frames(frames, map, {}).ok());
        PhysWindowMemory memory;
        FrameTableAllocator tables{&frames};
        auto created = KernelPageTable::create(memory, tables);
        ASSERT_TRUE(created.ok());
        KernelPageTable pt = created.value();
        const VirtAddr va = 0xffff'c000'0000'0000;
        const Attributes rw{Rights{true, false, false}, Cache::write_back, true};

        // Three 4 KiB frames mapped (their table path is allocated on the way).
        DeferredCleanup setup{&frames, DeferredCleanup::Frames::table_owned};
        PhysAddr small[3];
        for (unsigned i = 0; i < 3; ++i) {
            small[i] = *frames.allocate(0);
            ASSERT_TRUE(pt.map(va + i * K4, small[i], K4, PageSize::size_4k, rw, setup).ok());
        }
        EXPECT_EQ(setup.batch.frames, 0u);

        // The independent walker sees what lookup sees, in simulated RAM.
        hostsim::PagingMode mode;
        mode.pat = arch::PteEncoding::pat_msr;
        auto read = [&](std::uint64_t pa) { return hostsim::peek(arch::phys_to_virt(pa)); };
        hostsim::PageWalk w = hostsim::walk(read, pt.root(), va + K4 + 5, mode);
        ASSERT_EQ(w.outcome, hostsim::PageWalk::Outcome::mapped);
        EXPECT_EQ(w.phys, small[1] + 5);
        EXPECT_TRUE(w.global && w.writable && !w.executable && !w.user);

        // A 2 MiB page over them: three frames and the table retire into this update's batch.
        const std::uint64_t free_before = frames.free_frames();
        const PhysAddr big = *frames.allocate(9);
        DeferredCleanup update{&frames, DeferredCleanup::Frames::table_owned};
        hostsim::tlb_requests().clear();
        auto flush = pt.map(va, big, M2, PageSize::size_2m, rw, update);
        ASSERT_TRUE(flush.ok());
        EXPECT_EQ(flush.value(), flush_range(va, va + M2));
        EXPECT_EQ(update.refused, 0u);
        EXPECT_EQ(update.batch.frames, 4u); // three data frames and one table
        EXPECT_EQ(frames.retired_frames(), 4u);
        EXPECT_EQ(frames.free_frames(), free_before - 512); // nothing reusable yet
        EXPECT_TRUE(hostsim::tlb_requests().empty());

        finish(update, flush.value());
        ASSERT_EQ(hostsim::tlb_requests().size(), 1u);
        const hostsim::TlbRequest& r = hostsim::tlb_requests()[0];
        EXPECT_EQ(r.kind, hostsim::TlbRequest::Kind::shootdown);
        EXPECT_EQ(r.cpus.bits, arch::CpuMask::all().bits);
        EXPECT_EQ(r.scope, flush_range(va, va + M2));
        EXPECT_EQ(frames.retired_frames(), 0u);
        EXPECT_EQ(frames.free_frames(), free_before - 512 + 4);

        // Tear-down: everything comes back.
        DeferredCleanup last{&frames, DeferredCleanup::Frames::table_owned};
        finish(last, pt.destroy(last));
        EXPECT_EQ(last.refused, 0u);
        EXPECT_TRUE(frames.check_invariants());
        EXPECT_EQ(frames.free_frames(), frames.managed_frames());
        hostsim::tlb_requests().clear();
    });
}

// The kernel's update discipline against hostsim's TLB model, two simulated CPUs: CPU 1 caches a translation,
// CPU 0 unmaps the page and frees its frame. With finish() (shootdown, then release) CPU 1's next access
// walks afresh and faults; releasing without the shootdown (the planted bug) leaves CPU 1 a stale translation
// to a freed frame, which the machine reports.
namespace tlb_model {

struct Shared {
    arch::Atomic<std::uint32_t> ready{0}, touched{0}, done{0};
    PhysAddr root = 0;
    PhysAddr frame = 0;
    std::map<PhysAddr, std::uint64_t> generation; // bumped when a frame is freed
};

constexpr VirtAddr va = 0x0000'4000'0000'0000;

std::optional<hostsim::Translation> walk(hostsim::Machine& m, std::uint64_t root, std::uint64_t at) {
    hostsim::PagingMode mode;
    mode.pat = arch::PteEncoding::pat_msr;
    auto read = [&m](std::uint64_t pa) { return hostsim::peek(m.ram() + pa); };
    hostsim::PageWalk w = hostsim::walk(read, root, at, mode);
    if (w.outcome != hostsim::PageWalk::Outcome::mapped) return std::nullopt;
    std::uint8_t rights = hostsim::access::read;
    if (w.writable) rights |= hostsim::access::write;
    if (w.executable) rights |= hostsim::access::execute;
    if (w.user) rights |= hostsim::access::user;
    return hostsim::Translation{w.phys & ~(w.page_size - 1), w.page_size, rights, w.global};
}

hostsim::Outcome run(bool shoot_down) {
    hostsim::Config config;
    config.cpus = 2;
    config.memory_bytes = 16u << 20;
    hostsim::Machine m(config);
    Shared s;
    m.set_walker([&m](std::uint64_t root, std::uint64_t at) { return walk(m, root, at); });
    m.set_frame_generation([&s](std::uint64_t f) { return s.generation[f]; });
    m.start(0, [&] {
        kernel::boot::MemoryMap map;
        map.regions[map.count++] = {1 << 20, (16 << 20) - (1 << 20), kernel::boot::MemoryType::usable};
        FrameAllocator frames;
        if (!m.check(init_frames(frames, map, {}).ok(), "init_frames")) return;
        PhysWindowMemory memory;
        FrameTableAllocator tables{&frames};
        KernelPageTable pt = KernelPageTable::create(memory, tables).value();
        s.frame = *frames.allocate(0);
        DeferredCleanup setup{&frames, DeferredCleanup::Frames::table_owned};
        m.check(pt.map(va, s.frame, K4, PageSize::size_4k, Attributes{Rights{true, false, true}}, setup).ok(),
                "map");
        s.root = pt.root();
        s.ready.store(1);
        while (s.touched.load() == 0) arch::cpu_relax();

        DeferredCleanup update{&frames, DeferredCleanup::Frames::table_owned};
        auto flush = pt.unmap(va, K4, update);
        m.check(flush.ok() && flush.value() == flush_range(va, va + K4), "unmap reports the page");
        if (shoot_down) {
            finish(update, flush.value());
        } else {
            frames.release_batch(update.batch); // the planted bug: freed while CPU 1 may still cache it
        }
        ++s.generation[s.frame];
        s.done.store(1);
    });
    m.start(1, [&] {
        while (s.ready.load() == 0) arch::cpu_relax();
        m.load_root(s.root);
        m.check(m.translate(va + 8, hostsim::access::write) == s.frame + 8, "first access translates");
        s.touched.store(1);
        arch::irq_enable(); // its user code runs with interrupts enabled: the shootdown's IPI gets through
        while (s.done.load() == 0) arch::cpu_relax();
        m.check(!m.translate(va + 8, hostsim::access::read), "access after the unmap faults");
    });
    m.run();
    hostsim::tlb_requests().clear();
    return m.outcome();
}

} // namespace tlb_model

TEST(KernelPageTable, ShootdownBeforeReleaseLeavesNoStaleTranslation) {
    hostsim::Outcome ok = tlb_model::run(true);
    EXPECT_EQ(ok.verdict, hostsim::Verdict::pass) << ok.message;
    hostsim::Outcome planted = tlb_model::run(false);
    EXPECT_EQ(planted.verdict, hostsim::Verdict::stale_translation) << planted.message;
}

} // namespace
