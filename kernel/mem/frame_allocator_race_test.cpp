// The frame allocator from several real threads (label sim: plain and under ThreadSanitizer). Every block a
// thread holds is marked in a shared per-frame owner array with atomic exchanges: two threads holding the
// same frame at once show as a clash. At the end every frame is back and the bookkeeping is consistent.
#include <atomic>
#include <gtest/gtest.h>
#include <random>
#include <thread>
#include <vector>

#include "kernel/mem/frame_allocator.hpp"

namespace {

using kernel::mem::FrameAllocator;
using kernel::mem::FrameInfo;
using kernel::mem::PhysAddr;
using kernel::mem::RetiredBatch;

constexpr std::uint64_t frames = 8192;

TEST(FrameAllocatorRace, ThreadsNeverHoldTheSameFrame) {
    std::vector<FrameInfo> info(frames);
    FrameAllocator alloc;
    alloc.init(*FrameAllocator::span_covering(0, frames * 4096), info.data());
    ASSERT_TRUE(alloc.add_free_range(4096, frames * 4096));
    const std::uint64_t initial = alloc.free_frames();
    std::vector<std::atomic<int>> owner(frames);
    std::atomic<int> clashes{0};
    std::vector<std::thread> pool;
    for (int t = 1; t <= 4; ++t) {
        pool.emplace_back([&, t] {
            std::mt19937_64 rng(100 + t);
            std::vector<std::pair<PhysAddr, unsigned>> held;
            RetiredBatch retired;
            for (int step = 0; step < 3000; ++step) {
                if (held.size() < 40 && rng() % 3 != 0) {
                    const unsigned order = static_cast<unsigned>(rng() % 5);
                    if (auto pa = alloc.allocate(order)) {
                        for (std::uint64_t f = *pa / 4096; f < *pa / 4096 + (1u << order); ++f)
                            if (owner[f].exchange(t) != 0) clashes.fetch_add(1);
                        held.push_back({*pa, order});
                    }
                } else if (!held.empty()) {
                    const std::size_t i = rng() % held.size();
                    auto [pa, order] = held[i];
                    held.erase(held.begin() + static_cast<std::ptrdiff_t>(i));
                    for (std::uint64_t f = pa / 4096; f < pa / 4096 + (1u << order); ++f)
                        if (owner[f].exchange(0) != t) clashes.fetch_add(1);
                    // Half go back at once, half through a retired batch released a little later.
                    if (rng() % 2) {
                        if (!alloc.release(pa, order)) clashes.fetch_add(1);
                    } else if (!alloc.retire(pa, order, retired)) {
                        clashes.fetch_add(1);
                    }
                    if (retired.frames > 64) alloc.release_batch(retired);
                }
            }
            for (auto [pa, order] : held) {
                for (std::uint64_t f = pa / 4096; f < pa / 4096 + (1u << order); ++f) owner[f].store(0);
                if (!alloc.release(pa, order)) clashes.fetch_add(1);
            }
            alloc.release_batch(retired);
        });
    }
    for (auto& th : pool) th.join();
    EXPECT_EQ(clashes.load(), 0);
    EXPECT_EQ(alloc.free_frames(), initial);
    EXPECT_EQ(alloc.retired_frames(), 0u);
    EXPECT_TRUE(alloc.check_invariants());
    EXPECT_TRUE(alloc.allocate(12)); // coalesced back into large blocks
}

} // namespace
