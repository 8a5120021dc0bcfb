// Real threads racing on one page table (label sim: runs plain and under ThreadSanitizer). The table uses the
// kernel's own policies where they do not need a simulated machine: entries accessed through arch::Atomic,
// tables from the buddy allocator. Retired tables are released only after every thread has joined, which is
// the grace period the kernel's shootdown provides.
//
//  * Disjoint ranges: each thread has its own slice (slices share upper-level tables, so installs race) and
//    its own model, which is exact for its slice however the others interleave.
//  * Overlapping ranges: every thread maps the same window with frames tagged by thread; concurrent readers
//    only ever see a translation some thread wrote; at the end the tree is sound and every table is
//    accounted for (buddy free count back to where it started after destroy).
//  * Readers during split and merge: the translations never change, so a reader must never miss one.
// A failure names the thread seed; rerun with it to replay a thread's operation sequence (the interleaving
// is the OS's; the hostsim explorer replays interleavings).
#include <atomic>
#include <gtest/gtest.h>
#include <random>
#include <thread>

#include "kernel/mem/frame_allocator.hpp"
#include "kernel/mem/kernel_page_table.hpp"
#include "kernel/mem/testing/host_memory.hpp"
#include "kernel/mem/testing/page_table_fakes.hpp"
#include "kernel/mem/testing/page_table_world.hpp"

namespace {

using namespace kernel::mem;
using namespace kernel::mem::testing;

constexpr std::uint64_t K4 = 4096, M2 = 2ull << 20;

using RacePageTable = PageTable<HostAtomicMemory, FrameTableAllocator, RecordingCleanup>;

struct Shared {
    explicit Shared(std::size_t frames = 4096) : ram(frames), memory{&ram}, tables{&ram.frames} {
        initial_free = ram.frames.free_frames();
        root = (*tables.allocate_table());
        for (unsigned i = 0; i < 512; ++i) memory.initialise(root, i, 0);
    }
    HostRam ram;
    HostAtomicMemory memory;
    FrameTableAllocator tables;
    std::uint64_t initial_free;
    PhysAddr root;
    RacePageTable table() { return RacePageTable(memory, tables, root); }

    hostsim::PageWalk walk(VirtAddr va) const {
        hostsim::PagingMode mode;
        mode.pat = arch::PteEncoding::pat_msr;
        return hostsim::walk([this](std::uint64_t pa) { return ram.read(pa); }, root, va, mode);
    }

    /// After all threads: release what they retired (the shootdown), destroy the table, release that too.
    /// Every table must come back exactly once: the free count returns to where it started.
    void teardown_and_check(std::vector<RecordingCleanup>& cleanups) {
        RecordingCleanup last;
        table().destroy(last);
        cleanups.push_back(last);
        for (auto& c : cleanups) {
            for (PhysAddr t : c.tables)
                EXPECT_TRUE(ram.frames.release(t, 0)) << "table " << t << " retired twice";
        }
        EXPECT_EQ(ram.frames.free_frames(), initial_free) << "page-table pages leaked";
        EXPECT_TRUE(ram.frames.check_invariants());
    }
};

unsigned thread_ops() {
#if defined(__SANITIZE_THREAD__) || __has_feature(thread_sanitizer)
    return 600;
#else
    return 4000;
#endif
}

TEST(PageTableRace, DisjointSlicesMatchEachThreadsModel) {
    Shared shared;
    constexpr unsigned threads = 4;
    std::vector<RecordingCleanup> cleanups(threads);
    std::vector<std::string> failures(threads);
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            const std::uint64_t seed = 1000 + t;
            std::mt19937_64 rng(seed);
            RacePageTable pt = shared.table();
            models::AddressSpace model;
            const VirtAddr slice =
                0x7f00'0000'0000 + std::uint64_t{t} * 4 * M2; // 8 MiB each, sharing the PDPT and PD
            for (unsigned op = 0; op < thread_ops() && failures[t].empty(); ++op) {
                const bool big = rng() % 4 == 0;
                const std::uint64_t size = big ? M2 : K4;
                const VirtAddr va = slice + (rng() % (4 * M2 / size)) * size;
                const std::uint64_t pages = 1 + rng() % (big ? 2 : 8);
                const std::uint64_t bytes = std::min(pages * size, slice + 4 * M2 - va);
                const Rights r{bool(rng() % 2), bool(rng() % 2), false};
                switch (rng() % 3) {
                case 0: {
                    const PhysAddr pa = ((t + 1) << 30) + (rng() % 64) * M2;
                    auto res = pt.map(va, pa, bytes, big ? PageSize::size_2m : PageSize::size_4k,
                                      Attributes{r}, cleanups[t]);
                    if (!res) failures[t] = "map failed";
                    model.map(va, pa, bytes, size, to_model(r), models::Cache::write_back, false);
                    break;
                }
                case 1:
                    if (!pt.unmap(va, bytes, cleanups[t])) failures[t] = "unmap failed";
                    model.unmap(va, bytes);
                    break;
                default:
                    if (!pt.protect(va, bytes, r, cleanups[t])) failures[t] = "protect failed";
                    model.protect(va, bytes, to_model(r));
                }
                for (int probe = 0; probe < 4 && failures[t].empty(); ++probe) {
                    const VirtAddr at = slice + (rng() % (4 * M2 / K4)) * K4 + rng() % K4;
                    std::string why = lookup_matches(pt.lookup(at), model.lookup(at));
                    if (!why.empty()) {
                        failures[t] = why + " (thread seed " + std::to_string(seed) + ", op " +
                                      std::to_string(op) + ")";
                    }
                }
            }
            // Quiescent for this slice: the walker agrees with the model on every page of it.
            for (VirtAddr at = slice; at < slice + 4 * M2 && failures[t].empty(); at += K4) {
                std::string why = walk_matches(shared.walk(at), model.lookup(at), at);
                if (!why.empty())
                    failures[t] = "walker: " + why + " (thread seed " + std::to_string(seed) + ")";
            }
        });
    }
    for (auto& th : pool) th.join();
    for (unsigned t = 0; t < threads; ++t) EXPECT_EQ(failures[t], "") << "thread " << t;
    shared.teardown_and_check(cleanups);
}

// Frames encode who mapped them: thread t maps page p of the window to tag(t) + p, so any translation a
// reader finds must be one of those, with the rights thread t always uses.
constexpr PhysAddr tag(unsigned t) {
    return PhysAddr{t + 1} << 36;
}
constexpr Rights rights_of(unsigned t) {
    return Rights{t % 2 == 0, t % 3 == 0, false};
}

TEST(PageTableRace, OverlappingWritersAndReadersSeeOnlyWrittenTranslations) {
    Shared shared;
    constexpr unsigned writers = 3;
    constexpr VirtAddr window = 0x40'0000'0000;
    constexpr std::uint64_t window_bytes = 4 * M2;
    std::vector<RecordingCleanup> cleanups(writers);
    std::atomic<unsigned> running{writers};
    std::string reader_failure;
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < writers; ++t) {
        pool.emplace_back([&, t] {
            std::mt19937_64 rng(2000 + t);
            RacePageTable pt = shared.table();
            for (unsigned op = 0; op < thread_ops(); ++op) {
                const bool big = rng() % 3 == 0;
                const std::uint64_t size = big ? M2 : K4;
                const VirtAddr va = window + (rng() % (window_bytes / size)) * size;
                const std::uint64_t bytes = std::min((1 + rng() % 4) * size, window + window_bytes - va);
                if (rng() % 4 == 0) {
                    (void)pt.unmap(va, bytes, cleanups[t]);
                } else {
                    (void)pt.map(va, tag(t) + (va - window), bytes,
                                 big ? PageSize::size_2m : PageSize::size_4k, Attributes{rights_of(t)},
                                 cleanups[t]);
                }
            }
            running.fetch_sub(1);
        });
    }
    pool.emplace_back([&] {
        std::mt19937_64 rng(3000);
        RacePageTable pt = shared.table();
        while (running.load() > 0 && reader_failure.empty()) {
            const VirtAddr at = window + rng() % window_bytes;
            auto tr = pt.lookup(at);
            if (!tr) continue;
            const unsigned t = static_cast<unsigned>((tr->frame >> 36) - 1);
            const bool ok = t < writers && tr->frame + (at - tr->page) == tag(t) + (at - window) &&
                            tr->attributes.rights == rights_of(t) && tr->page % bytes_of(tr->size) == 0;
            if (!ok) reader_failure = "reader saw a translation nobody wrote at " + std::to_string(at);
        }
    });
    for (auto& th : pool) th.join();
    EXPECT_EQ(reader_failure, "");
    // Quiescent: lookup and walker agree everywhere in the window, and each translation is a written one.
    RacePageTable pt = shared.table();
    for (VirtAddr at = window; at < window + window_bytes; at += K4) {
        auto tr = pt.lookup(at);
        hostsim::PageWalk w = shared.walk(at);
        ASSERT_EQ(bool(tr), w.outcome == hostsim::PageWalk::Outcome::mapped) << at;
        if (!tr) continue;
        EXPECT_EQ(w.phys, tr->frame + (at - tr->page));
        EXPECT_EQ(w.page_size, bytes_of(tr->size));
        const unsigned t = static_cast<unsigned>((tr->frame >> 36) - 1);
        ASSERT_LT(t, writers);
        EXPECT_EQ(w.phys, tag(t) + (at - window));
    }
    shared.teardown_and_check(cleanups);
}

TEST(PageTableRace, ReadersNeverMissATranslationWhileItIsSplitAndMerged) {
    Shared shared;
    constexpr VirtAddr region = 0x10'0000'0000;
    constexpr PhysAddr frame = 0x8000'0000;
    const Attributes a{Rights{true, false, false}};
    RecordingCleanup setup;
    ASSERT_TRUE(shared.table().map(region, frame, M2, PageSize::size_2m, a, setup).ok());
    std::atomic<bool> done{false};
    std::vector<RecordingCleanup> cleanups(1);
    std::atomic<unsigned> misses{0};
    std::thread writer([&] {
        RacePageTable pt = shared.table();
        std::mt19937_64 rng(4000);
        for (unsigned i = 0; i < thread_ops() / 4; ++i) {
            // Split by remapping one 4 KiB page to the frame it already has, then merge again.
            const VirtAddr at = region + (rng() % 512) * K4;
            (void)pt.map(at, frame + (at - region), K4, PageSize::size_4k, a, cleanups[0]);
            (void)pt.map(region, frame, M2, PageSize::size_2m, a, cleanups[0]);
        }
        done.store(true);
    });
    std::vector<std::thread> readers;
    for (unsigned r = 0; r < 2; ++r) {
        readers.emplace_back([&, r] {
            RacePageTable pt = shared.table();
            std::mt19937_64 rng(5000 + r);
            while (!done.load()) {
                const VirtAddr at = region + rng() % M2;
                auto tr = pt.lookup(at);
                if (!tr || tr->frame + (at - tr->page) != frame + (at - region)) misses.fetch_add(1);
            }
        });
    }
    writer.join();
    for (auto& th : readers) th.join();
    EXPECT_EQ(misses.load(), 0u);
    cleanups.push_back(setup);
    shared.teardown_and_check(cleanups);
}

} // namespace
