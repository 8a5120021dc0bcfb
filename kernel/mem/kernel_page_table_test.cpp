// The kernel's own instance on hostsim: entries in simulated RAM through the physical-memory window, tables
// and frames from the buddy allocator, retirements held back until finish() has asked for the shootdown.
#include <gtest/gtest.h>

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
        mode.pat = X86Encoding::pat_msr;
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

} // namespace
