// The buddy allocator on host memory: alignment, coalescing, out-of-memory as a value, refusing releases that
// do not match an allocation, and deferred release. Expectations come from the buddy rules themselves (a
// block of order k is 2^k frames aligned to its size) and from a plain set of handed-out frames.
#include <algorithm>
#include <gtest/gtest.h>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "kernel/mem/frame_allocator.hpp"

namespace {

using kernel::mem::FrameAllocator;
using kernel::mem::FrameInfo;
using kernel::mem::PhysAddr;
using kernel::mem::RetiredBatch;

constexpr PhysAddr KiB4 = 4096;
constexpr PhysAddr GiB = 1ull << 30;

// An allocator whose span starts at 1 GiB and covers `frames` frames.
struct Fixture {
    explicit Fixture(std::uint64_t frames) : info(frames) {
        auto span = FrameAllocator::span_covering(GiB, GiB + frames * KiB4);
        alloc.init(*span, info.data());
    }
    std::vector<FrameInfo> info;
    FrameAllocator alloc;
};

TEST(FrameAllocator, OwnsExactlyTheFramesOfItsSpan) {
    Fixture f(4096);
    const PhysAddr end = GiB + 4096 * KiB4;
    EXPECT_TRUE(f.alloc.owns(GiB));
    EXPECT_TRUE(f.alloc.owns(end - KiB4));
    EXPECT_TRUE(f.alloc.owns(end - 1));
    EXPECT_FALSE(f.alloc.owns(end)) << "the first frame after the span";
    EXPECT_FALSE(f.alloc.owns(GiB - 1));
    EXPECT_FALSE(f.alloc.owns(0));
    EXPECT_FALSE(f.alloc.owns(~PhysAddr{0}));
}

TEST(FrameAllocator, BlocksOfEveryOrderAreAlignedToTheirSize) {
    Fixture f(4096);
    ASSERT_TRUE(f.alloc.add_free_range(GiB, GiB + 4096 * KiB4));
    for (unsigned order = 0; order <= 12; ++order) {
        auto pa = f.alloc.allocate(order);
        ASSERT_TRUE(pa) << "order " << order;
        EXPECT_EQ(*pa % (KiB4 << order), 0u) << "order " << order;
        ASSERT_TRUE(f.alloc.release(*pa, order));
    }
    EXPECT_EQ(f.alloc.free_frames(), 4096u);
    EXPECT_TRUE(f.alloc.check_invariants());
}

TEST(FrameAllocator, FreedFramesCoalesceIntoTheLargestBlock) {
    Fixture f(1024);
    ASSERT_TRUE(f.alloc.add_free_range(GiB, GiB + 1024 * KiB4)); // one order-10 block
    std::vector<PhysAddr> frames;
    while (auto pa = f.alloc.allocate(0)) frames.push_back(*pa);
    ASSERT_EQ(frames.size(), 1024u);
    EXPECT_FALSE(f.alloc.allocate(10));
    std::mt19937_64 rng(7);
    std::shuffle(frames.begin(), frames.end(), rng);
    for (PhysAddr pa : frames) ASSERT_TRUE(f.alloc.release(pa));
    auto whole = f.alloc.allocate(10);
    ASSERT_TRUE(whole);
    EXPECT_EQ(*whole, GiB);
    EXPECT_TRUE(f.alloc.check_invariants());
}

TEST(FrameAllocator, OutOfMemoryIsAValueNotAPanic) {
    Fixture f(16);
    ASSERT_TRUE(f.alloc.add_free_range(GiB, GiB + 16 * KiB4));
    EXPECT_FALSE(f.alloc.allocate(5)); // larger than everything donated
    EXPECT_FALSE(f.alloc.allocate(FrameAllocator::max_order + 1));
    std::set<PhysAddr> got;
    for (int i = 0; i < 16; ++i) got.insert(*f.alloc.allocate(0));
    EXPECT_EQ(got.size(), 16u);
    EXPECT_FALSE(f.alloc.allocate(0));
    EXPECT_EQ(f.alloc.free_frames(), 0u);
}

TEST(FrameAllocator, RefusesReleasesThatMatchNoAllocation) {
    Fixture f(64);
    ASSERT_TRUE(f.alloc.add_free_range(GiB, GiB + 64 * KiB4));
    PhysAddr a = *f.alloc.allocate(2);
    EXPECT_FALSE(f.alloc.release(a, 1));        // wrong order
    EXPECT_FALSE(f.alloc.release(a + KiB4, 0)); // inside the block, not its head
    EXPECT_FALSE(f.alloc.release(a + 1, 2));    // unaligned
    EXPECT_FALSE(f.alloc.release(0, 0));        // outside the span
    EXPECT_TRUE(f.alloc.release(a, 2));
    EXPECT_FALSE(f.alloc.release(a, 2)); // double free
    EXPECT_EQ(f.alloc.free_frames(), 64u);
    EXPECT_TRUE(f.alloc.check_invariants());
}

TEST(FrameAllocator, HandsOutOnlyDonatedMemoryAndRefusesOverlappingDonations) {
    Fixture f(1024);
    ASSERT_TRUE(f.alloc.add_free_range(GiB + 3 * KiB4, GiB + 10 * KiB4));
    ASSERT_TRUE(f.alloc.add_free_range(GiB + 512 * KiB4, GiB + 515 * KiB4));
    EXPECT_FALSE(f.alloc.add_free_range(GiB + 9 * KiB4, GiB + 12 * KiB4)); // overlaps the first
    EXPECT_FALSE(f.alloc.add_free_range(GiB + 20 * KiB4 + 1, GiB + 30 * KiB4));
    EXPECT_FALSE(f.alloc.add_free_range(GiB + 1000 * KiB4, GiB + 2000 * KiB4)); // leaves the span
    std::set<PhysAddr> got;
    while (auto pa = f.alloc.allocate(0)) got.insert(*pa);
    std::set<PhysAddr> donated;
    for (PhysAddr i = 3; i < 10; ++i) donated.insert(GiB + i * KiB4);
    for (PhysAddr i = 512; i < 515; ++i) donated.insert(GiB + i * KiB4);
    EXPECT_EQ(got, donated);
}

TEST(FrameAllocator, RetiredBlocksWaitForTheirBatchToBeReleased) {
    Fixture f(8);
    ASSERT_TRUE(f.alloc.add_free_range(GiB, GiB + 8 * KiB4));
    std::vector<PhysAddr> all;
    while (auto pa = f.alloc.allocate(0)) all.push_back(*pa);
    RetiredBatch batch;
    ASSERT_TRUE(f.alloc.retire(all[0], 0, batch));
    ASSERT_TRUE(f.alloc.retire(all[5], 0, batch));
    EXPECT_FALSE(f.alloc.retire(all[5], 0, batch)); // already retired
    EXPECT_FALSE(f.alloc.release(all[0], 0));       // retired blocks are not released directly
    EXPECT_EQ(batch.frames, 2u);
    EXPECT_EQ(f.alloc.retired_frames(), 2u);
    EXPECT_FALSE(f.alloc.allocate(0)); // not reusable before the shootdown
    f.alloc.release_batch(batch);
    EXPECT_EQ(batch.frames, 0u);
    std::set<PhysAddr> again;
    while (auto pa = f.alloc.allocate(0)) again.insert(*pa);
    EXPECT_EQ(again, (std::set<PhysAddr>{all[0], all[5]}));
    EXPECT_TRUE(f.alloc.check_invariants());
}

// Random allocations and releases against a plain map of what is handed out: blocks never overlap, are
// aligned, and the free count is exact.
TEST(FrameAllocator, RandomSequencesNeverOverlapAndAccountExactly) {
    const std::uint64_t seed = 20261121;
    std::mt19937_64 rng(seed);
    Fixture f(3000);
    // Two donations with a hole, neither aligned to large blocks.
    ASSERT_TRUE(f.alloc.add_free_range(GiB + 5 * KiB4, GiB + 1500 * KiB4));
    ASSERT_TRUE(f.alloc.add_free_range(GiB + 1600 * KiB4, GiB + 2999 * KiB4));
    const std::uint64_t total = 1495 + 1399;
    std::map<PhysAddr, unsigned> held; // block -> order
    std::uint64_t held_frames = 0;
    for (int step = 0; step < 20000; ++step) {
        SCOPED_TRACE("seed " + std::to_string(seed) + " step " + std::to_string(step));
        if (held.empty() || rng() % 2) {
            unsigned order = static_cast<unsigned>(rng() % 7);
            if (auto pa = f.alloc.allocate(order)) {
                ASSERT_EQ(*pa % (KiB4 << order), 0u);
                auto next = held.lower_bound(*pa);
                if (next != held.end()) ASSERT_GE(next->first, *pa + (KiB4 << order));
                if (next != held.begin()) {
                    auto prev = std::prev(next);
                    ASSERT_LE(prev->first + (KiB4 << prev->second), *pa);
                }
                held[*pa] = order;
                held_frames += 1ull << order;
            } else {
                // With complete coalescing, an aligned, wholly free region of the size asked for inside a
                // donation is (part of) a free block: a failure then is a bug.
                const PhysAddr size = KiB4 << order;
                for (PhysAddr a = GiB; a + size <= GiB + 3000 * KiB4; a += size) {
                    bool donated = (a >= GiB + 5 * KiB4 && a + size <= GiB + 1500 * KiB4) ||
                                   (a >= GiB + 1600 * KiB4 && a + size <= GiB + 2999 * KiB4);
                    auto next = held.lower_bound(a);
                    bool clear = (next == held.end() || next->first >= a + size) &&
                                 (next == held.begin() ||
                                  std::prev(next)->first + (KiB4 << std::prev(next)->second) <= a);
                    ASSERT_FALSE(donated && clear) << "free aligned region at " << a << " of order " << order;
                }
            }
        } else {
            auto it = held.begin();
            std::advance(it, rng() % held.size());
            ASSERT_TRUE(f.alloc.release(it->first, it->second));
            held_frames -= 1ull << it->second;
            held.erase(it);
        }
        ASSERT_EQ(f.alloc.free_frames(), total - held_frames);
        if (step % 1000 == 0) ASSERT_TRUE(f.alloc.check_invariants());
    }
}

} // namespace
