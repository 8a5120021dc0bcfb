// PageTable over fakes: every page size, overlap and splitting, exact flush reports, out-of-memory at every
// allocation point, unmap without allocation, and races played out through the memory fake's hook.
// Expected translations come from the operation's arguments or the address-space model; entry bits from the
// SDM; flush expectations from the rule in flush.hpp (the TLB rule).
#include <gtest/gtest.h>

#include "kernel/mem/testing/page_table_world.hpp"

namespace {

using namespace kernel::mem;
using namespace kernel::mem::testing;

constexpr std::uint64_t K4 = 4096, M2 = 2ull << 20, G1 = 1ull << 30;

const Attributes rw{Rights{true, false, false}};
const Attributes ro{Rights{false, false, false}};
const Attributes rx{Rights{false, true, false}};
const Attributes user_rw{Rights{true, false, true}};

Flush range(VirtAddr a, VirtAddr b) {
    return flush_range(a, b);
}

// Every probe: lookup and walker agree with the model.
// Every probe: lookup and walker agree with the model (page sizes too, unless a split may have changed them).
void expect_agrees(const World& w, const models::AddressSpace& model, const std::vector<VirtAddr>& at,
                   bool compare_size = true) {
    for (VirtAddr va : at) {
        auto f = model.lookup(va);
        EXPECT_EQ(lookup_matches(w.pt.lookup(va), f, va, compare_size), "") << std::hex << "va " << va;
        EXPECT_EQ(walk_matches(w.walk(va), f, va, compare_size), "") << std::hex << "va " << va;
    }
}

struct SizeCase {
    PageSize size;
    VirtAddr va;
    PhysAddr pa;
};

class EachPageSize : public ::testing::TestWithParam<SizeCase> {};

TEST_P(EachPageSize, MapLookupUnmap) {
    const auto [size, va, pa] = GetParam();
    const std::uint64_t s = bytes_of(size);
    World w;
    auto m = w.pt.map(va, pa, 2 * s, size, user_rw, w.cleanup);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m.value(), no_flush()); // translations appeared where there were none

    for (std::uint64_t off : {std::uint64_t{0}, std::uint64_t{0x123}, s - 8, s, 2 * s - 1}) {
        auto t = w.pt.lookup(va + off);
        ASSERT_TRUE(t) << "offset " << off;
        EXPECT_EQ(t->page, va + (off / s) * s);
        EXPECT_EQ(t->frame, pa + (off / s) * s);
        EXPECT_EQ(t->size, size);
        EXPECT_EQ(t->attributes, user_rw);
        hostsim::PageWalk pw = w.walk(va + off);
        ASSERT_EQ(pw.outcome, hostsim::PageWalk::Outcome::mapped);
        EXPECT_EQ(pw.phys, pa + off);
        EXPECT_EQ(pw.page_size, s);
        EXPECT_TRUE(pw.writable && pw.user && !pw.executable && !pw.global);
        EXPECT_EQ(pw.type, hostsim::MemoryType::wb);
    }
    EXPECT_FALSE(w.pt.lookup(va - 1));
    EXPECT_FALSE(w.pt.lookup(va + 2 * s));

    auto u = w.pt.unmap(va, 2 * s, w.cleanup);
    ASSERT_TRUE(u.ok());
    EXPECT_EQ(u.value(), range(va, va + 2 * s));
    EXPECT_FALSE(w.pt.lookup(va));
    EXPECT_FALSE(w.pt.lookup(va + s));
    EXPECT_EQ(w.cleanup.frames, (std::vector<RecordingCleanup::Frame>{{pa, size}, {pa + s, size}}));
    EXPECT_EQ(w.audit(), "");
}

INSTANTIATE_TEST_SUITE_P(
    PageTable, EachPageSize,
    ::testing::Values(SizeCase{PageSize::size_4k, 0x7000'0000'0000, 0x1234'5000},
                      SizeCase{PageSize::size_2m, 0x40'0000, 0xa0'0000'0000},
                      SizeCase{PageSize::size_1g, 0xffff'ff80'0000'0000, 0x40'0000'0000}),
    [](const auto& info) { return "level" + std::to_string(level_of(info.param.size)); });

TEST(PageTable, LeafBitsFollowTheSdm) {
    World w;
    Attributes a{Rights{true, false, true}, Cache::write_combining, true};
    ASSERT_TRUE(w.pt.map(0x1000, 0xabc000, K4, PageSize::size_4k, a, w.cleanup).ok());
    ASSERT_TRUE(
        w.pt.map(0x40'0000, 0x20'0000, M2, PageSize::size_2m, Attributes{{}, Cache::uncached}, w.cleanup)
            .ok());
    // Find the raw entries through the walker's path: PML4[0] -> PDPT[0] -> PD[0] -> PT[1], and PD[2].
    auto next = [&](PhysAddr table, unsigned i) {
        return w.ram.read(table + 8ull * i) & 0x000f'ffff'ffff'f000;
    };
    PhysAddr pd = next(next(w.pt.root(), 0), 0);
    std::uint64_t pte = w.ram.read(next(pd, 0) + 8);
    std::uint64_t pde = w.ram.read(pd + 16);
    // SDM table 4-19 (PTE): P=bit0, R/W=1, U/S=2, PWT=3, PCD=4, PAT=7, G=8, address 51:12, XD=63.
    EXPECT_EQ(pte & 0x000f'ffff'ffff'f000, 0xabc000u);
    EXPECT_EQ(pte & 0x19f, 0x1 | 0x2 | 0x4 | 0x8 | 0x100u); // PWT selects PAT entry 1 (WC); PCD, PAT clear
    EXPECT_TRUE(pte >> 63);
    // SDM table 4-18 (2-MByte PDE): PS=bit7, PAT=bit12; PWT+PCD select PAT entry 3 (UC); read-only,
    // supervisor.
    EXPECT_EQ(pde & 0x1fff, 0x1 | 0x8 | 0x10 | 0x80u);
    EXPECT_EQ(pde & 0x000f'ffff'ffe0'0000, 0x20'0000u);
    // The PAT value the kernel programs gives those indices the promised types (SDM 11.12.2 encodings).
    EXPECT_EQ(arch::PteEncoding::pat_msr & 0xff, 6u);         // PA0 = WB
    EXPECT_EQ((arch::PteEncoding::pat_msr >> 8) & 0xff, 1u);  // PA1 = WC
    EXPECT_EQ((arch::PteEncoding::pat_msr >> 24) & 0xff, 0u); // PA3 = UC
    EXPECT_EQ(w.walk(0x1000).type, hostsim::MemoryType::wc);
    EXPECT_EQ(w.walk(0x40'0000).type, hostsim::MemoryType::uc);
    EXPECT_TRUE(w.walk(0x1000).global);
}

TEST(PageTable, RefusesBadArgumentsWithoutTouchingMemory) {
    World w;
    const std::uint64_t stores = w.mem.stores, calls = w.alloc.calls;
    auto err = [&](auto r) {
        return r.ok() ? std::optional<MapError>{} : std::optional<MapError>{r.error()};
    };
    EXPECT_EQ(err(w.pt.map(0x1000, 0x2000, 0, PageSize::size_4k, rw, w.cleanup)), MapError::bad_range);
    EXPECT_EQ(err(w.pt.map(0x1800, 0x2000, K4, PageSize::size_4k, rw, w.cleanup)), MapError::misaligned);
    EXPECT_EQ(err(w.pt.map(0x1000, 0x2800, K4, PageSize::size_4k, rw, w.cleanup)), MapError::misaligned);
    EXPECT_EQ(err(w.pt.map(0x20'1000, 0, M2, PageSize::size_2m, rw, w.cleanup)), MapError::misaligned);
    EXPECT_EQ(err(w.pt.map(0x1000, 0, K4 + 1, PageSize::size_4k, rw, w.cleanup)), MapError::misaligned);
    EXPECT_EQ(err(w.pt.map(0x0000'8000'0000'0000, 0, K4, PageSize::size_4k, rw, w.cleanup)),
              MapError::bad_range);
    EXPECT_EQ(err(w.pt.map(0x0000'7fff'ffff'f000, 0, 2 * K4, PageSize::size_4k, rw, w.cleanup)),
              MapError::bad_range); // crosses into the canonical hole
    EXPECT_EQ(err(w.pt.map(0xffff'ffff'ffff'f000, 0, 2 * K4, PageSize::size_4k, rw, w.cleanup)),
              MapError::bad_range); // wraps
    EXPECT_EQ(err(w.pt.map(0x1000, 1ull << 52, K4, PageSize::size_4k, rw, w.cleanup)), MapError::bad_frame);
    EXPECT_EQ(err(w.pt.map(0x1000, (1ull << 52) - K4, 2 * K4, PageSize::size_4k, rw, w.cleanup)),
              MapError::bad_frame);
    EXPECT_EQ(err(w.pt.unmap(0x1001, K4, w.cleanup)), MapError::misaligned);
    EXPECT_EQ(err(w.pt.protect(0xffff'0000'0000'0000, K4, Rights{}, w.cleanup)), MapError::bad_range);
    EXPECT_EQ(w.mem.stores, stores);
    EXPECT_EQ(w.alloc.calls, calls);
    // The very top page of the address space is fine.
    EXPECT_TRUE(w.pt.map(0xffff'ffff'ffff'f000, 0x5000, K4, PageSize::size_4k, rw, w.cleanup).ok());
    EXPECT_EQ(w.pt.lookup(0xffff'ffff'ffff'ffff)->frame, 0x5000u);
}

// --- the flush rule, one case per clause -----------------------------------------------------------------

struct FlushCase {
    const char* name;
    Attributes first;
    PhysAddr second_frame;
    Attributes second;
    bool flush;
};

class FlushRule : public ::testing::TestWithParam<FlushCase> {};

TEST_P(FlushRule, RemapReportsAFlushExactlyWhenAnOldTranslationGoesStale) {
    const FlushCase& c = GetParam();
    World w;
    const VirtAddr va = 0x7f00'0000'0000;
    ASSERT_TRUE(w.pt.map(va, 0x10'0000, 4 * K4, PageSize::size_4k, c.first, w.cleanup).ok());
    auto r = w.pt.map(va + K4, c.second_frame, 2 * K4, PageSize::size_4k, c.second, w.cleanup);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value(), c.flush ? range(va + K4, va + 3 * K4) : no_flush());
    const bool frame_changed = c.second_frame != 0x10'1000;
    EXPECT_EQ(w.cleanup.frames.size(), frame_changed ? 2u : 0u); // old frames retired only if replaced
}

INSTANTIATE_TEST_SUITE_P(PageTable, FlushRule,
                         ::testing::Values(FlushCase{"same_translation", rw, 0x10'1000, rw, false},
                                           FlushCase{"write_added", ro, 0x10'1000, rw, false},
                                           FlushCase{"execute_added", ro, 0x10'1000, rx, false},
                                           FlushCase{"write_removed", rw, 0x10'1000, ro, true},
                                           FlushCase{"execute_removed", rx, 0x10'1000, ro, true},
                                           FlushCase{"user_added", rw, 0x10'1000, user_rw, true},
                                           FlushCase{"user_removed", user_rw, 0x10'1000, rw, true},
                                           FlushCase{"frame_changed", rw, 0x90'0000, rw, true},
                                           FlushCase{"cache_changed", rw, 0x10'1000,
                                                     Attributes{rw.rights, Cache::uncached}, true},
                                           FlushCase{"global_changed", rw, 0x10'1000,
                                                     Attributes{rw.rights, Cache::write_back, true}, true}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(PageTable, ProtectFlushesOnlyWhenRightsGoDown) {
    World w;
    ASSERT_TRUE(w.pt.map(0x10'0000, 0x50'0000, 8 * K4, PageSize::size_4k, ro, w.cleanup).ok());
    auto up = w.pt.protect(0x10'0000, 8 * K4, Rights{true, true, false}, w.cleanup);
    ASSERT_TRUE(up.ok());
    EXPECT_EQ(up.value(), no_flush());
    auto down = w.pt.protect(0x10'2000, 2 * K4, Rights{true, false, false}, w.cleanup);
    ASSERT_TRUE(down.ok());
    EXPECT_EQ(down.value(), range(0x10'2000, 0x10'4000));
    auto again = w.pt.protect(0x10'2000, 2 * K4, Rights{true, false, false}, w.cleanup);
    EXPECT_EQ(again.value(), no_flush()); // nothing changed
    EXPECT_EQ(w.pt.lookup(0x10'1000)->attributes.rights, (Rights{true, true, false}));
    EXPECT_EQ(w.pt.lookup(0x10'3000)->attributes.rights, (Rights{true, false, false}));
    EXPECT_TRUE(w.cleanup.frames.empty()); // protect never retires frames
}

TEST(PageTable, ProtectSplitsStraddlingSuperpagesAndSkipsHoles) {
    World w;
    models::AddressSpace model;
    ASSERT_TRUE(w.pt.map(G1, 0x80'0000'0000, G1, PageSize::size_1g, rw, w.cleanup).ok());
    model.map(G1, 0x80'0000'0000, G1, G1, to_model(rw.rights), models::Cache::write_back, false);
    // From 4 KiB below the end of the 1 GiB page into the hole after it.
    const VirtAddr start = 2 * G1 - K4;
    auto r = w.pt.protect(start, 3 * K4, Rights{}, w.cleanup);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value(), range(start, 2 * G1));
    auto expected = model.protect(start, 3 * K4, models::Rights{});
    EXPECT_TRUE(expected.needs_flush);
    EXPECT_FALSE(w.pt.lookup(2 * G1)); // the hole stays a hole
    EXPECT_EQ(w.pt.lookup(start - K4)->size, PageSize::size_4k);
    EXPECT_EQ(w.pt.lookup(G1)->size, PageSize::size_2m);
    expect_agrees(w, model, probes(start, 3 * K4, 64));
    EXPECT_EQ(w.audit(), "");
}

// --- overlap and splitting

TEST(PageTable, SmallPageInsideASuperpageSplitsItKeepingTheRest) {
    World w;
    models::AddressSpace model;
    const VirtAddr va = 0x4000'0000;
    ASSERT_TRUE(w.pt.map(va, 0x8000'0000, G1, PageSize::size_1g, rx, w.cleanup).ok());
    model.map(va, 0x8000'0000, G1, G1, to_model(rx.rights), models::Cache::write_back, false);
    const VirtAddr target = va + 5 * M2 + 7 * K4;
    auto r = w.pt.map(target, 0x1234'5000, K4, PageSize::size_4k, rw, w.cleanup);
    ASSERT_TRUE(r.ok());
    model.map(target, 0x1234'5000, K4, K4, to_model(rw.rights), models::Cache::write_back, false);
    EXPECT_EQ(r.value(), range(target, target + K4)); // only the replaced 4 KiB page
    EXPECT_EQ(w.cleanup.frames,
              (std::vector<RecordingCleanup::Frame>{{0x8000'0000 + 5 * M2 + 7 * K4, PageSize::size_4k}}));
    EXPECT_EQ(w.pt.lookup(target + K4)->size, PageSize::size_4k);
    EXPECT_EQ(w.pt.lookup(va)->size, PageSize::size_2m);
    expect_agrees(w, model, probes(target, K4, 128));
    EXPECT_EQ(w.audit(), "");
}

TEST(PageTable, SuperpageOverSmallPagesRetiresTheirTableAndFlushes) {
    World w;
    ASSERT_TRUE(w.pt.map(0x20'0000, 0x40'0000, 3 * K4, PageSize::size_4k, rw, w.cleanup).ok());
    const std::size_t tables = w.alloc.live.size();
    // The same translations again, as one 2 MiB page: the 4 KiB table goes, so a flush is due regardless.
    auto r = w.pt.map(0x20'0000, 0x40'0000, M2, PageSize::size_2m, rw, w.cleanup);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value(), range(0x20'0000, 0x40'0000));
    EXPECT_EQ(w.cleanup.tables.size(), 1u);
    EXPECT_EQ(w.cleanup.frames.size(), 3u);
    EXPECT_EQ(w.alloc.live.size(), tables); // still live: retired, not yet shot down
    EXPECT_EQ(w.pt.lookup(0x20'1000)->size, PageSize::size_2m);
    EXPECT_EQ(w.audit(), "");
}

TEST(PageTable, GigabytePageOverATwoLevelSubtreeRetiresEveryTable) {
    World w;
    ASSERT_TRUE(w.pt.map(G1 + M2, 0x10'0000, K4, PageSize::size_4k, rw, w.cleanup).ok());
    ASSERT_TRUE(w.pt.map(G1 + 9 * M2, 0x20'0000, K4, PageSize::size_4k, rw, w.cleanup).ok());
    ASSERT_TRUE(w.pt.map(G1 + 20 * M2, 0x40'0000, M2, PageSize::size_2m, rw, w.cleanup).ok());
    auto r = w.pt.map(G1, 0x4000'0000, G1, PageSize::size_1g, rw, w.cleanup);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value(), range(G1, 2 * G1));
    EXPECT_EQ(w.cleanup.tables.size(), 3u); // the PD and both PTs
    EXPECT_EQ(w.cleanup.frames.size(), 3u);
    EXPECT_EQ(w.audit(), "");
}

TEST(PageTable, UnmapOfPartOfASuperpageRemovesItWhole) {
    World w;
    ASSERT_TRUE(w.pt.map(0x4000'0000, 0, 2 * M2, PageSize::size_2m, rw, w.cleanup).ok());
    auto r = w.pt.unmap(0x4000'0000 + M2 - K4, 2 * K4, w.cleanup); // the last page of one, first of the next
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value(), range(0x4000'0000, 0x4000'0000 + 2 * M2));
    EXPECT_FALSE(w.pt.lookup(0x4000'0000));
    EXPECT_FALSE(w.pt.lookup(0x4000'0000 + 2 * M2 - 1));
    EXPECT_EQ(w.cleanup.frames.size(), 2u);
}

TEST(PageTable, UnmapOfAWholeTableSpanRetiresTheTable) {
    World w;
    ASSERT_TRUE(w.pt.map(0x60'0000, 0x1000, K4, PageSize::size_4k, rw, w.cleanup).ok());
    ASSERT_TRUE(w.pt.unmap(0x60'0000, K4, w.cleanup).ok());
    EXPECT_TRUE(w.cleanup.tables.empty()); // a partly covered table stays
    auto r = w.pt.unmap(0x60'0000, M2, w.cleanup);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(w.cleanup.tables.size(), 1u);
    EXPECT_EQ(r.value(), range(0x60'0000, 0x80'0000)); // its cached entries go too
    EXPECT_EQ(w.audit(), "");
}

TEST(PageTable, UnmapNeverAllocatesAndSkipsEmptySpaceQuickly) {
    World w;
    ASSERT_TRUE(w.pt.map(G1, 0, G1, PageSize::size_1g, rw, w.cleanup).ok());
    ASSERT_TRUE(w.pt.map(3 * G1 + 5 * K4, 0, 3 * K4, PageSize::size_4k, rw, w.cleanup).ok());
    ASSERT_TRUE(w.pt.map(5 * G1, 0, 2 * M2, PageSize::size_2m, rw, w.cleanup).ok());
    const std::uint64_t calls = w.alloc.calls;
    w.alloc.fail_in(1);
    const std::uint64_t stores = w.mem.stores;
    auto r = w.pt.unmap(G1 + 77 * K4, 0x7000'0000'0000 - G1, w.cleanup); // most of the lower half
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(w.alloc.calls, calls);
    EXPECT_LT(w.mem.stores - stores, 4000u); // claims of the three detached tables, not a walk of 2^35 pages
    EXPECT_FALSE(w.pt.lookup(G1));
    EXPECT_FALSE(w.pt.lookup(3 * G1 + 6 * K4));
    EXPECT_FALSE(w.pt.lookup(5 * G1));
    EXPECT_EQ(r.value().kind, Flush::Kind::range);
    EXPECT_EQ(w.audit(), "");
}

TEST(PageTable, DestroyRetiresEveryTableAndFrame) {
    World w;
    ASSERT_TRUE(w.pt.map(0, 0, 4 * K4, PageSize::size_4k, rw, w.cleanup).ok());
    ASSERT_TRUE(w.pt.map(0xffff'8000'0000'0000, 0, M2, PageSize::size_2m, rw, w.cleanup).ok());
    const std::set<PhysAddr> live = w.alloc.live;
    EXPECT_EQ(w.pt.destroy(w.cleanup).kind, Flush::Kind::all);
    EXPECT_EQ(std::set<PhysAddr>(w.cleanup.tables.begin(), w.cleanup.tables.end()), live);
    EXPECT_EQ(w.cleanup.tables.size(), live.size());
    EXPECT_EQ(w.cleanup.frames.size(), 5u);
}

TEST(PageTable, PrepareBuildsTheTablePathAndChangesNoTranslation) {
    World w;
    models::AddressSpace model;
    ASSERT_TRUE(w.pt.map(0x20'0000, 0x60'0000, M2, PageSize::size_2m, rw, w.cleanup).ok());
    model.map(0x20'0000, 0x60'0000, M2, M2, to_model(rw.rights), models::Cache::write_back, false);
    const std::size_t tables = w.alloc.live.size();
    ASSERT_TRUE(w.pt.prepare(0x7000'0000'0000, PageSize::size_4k).ok()); // empty space: PDPT, PD, PT
    EXPECT_EQ(w.alloc.live.size(), tables + 3);
    ASSERT_TRUE(
        w.pt.prepare(0x20'3000, PageSize::size_4k).ok()); // inside the superpage: split, same translation
    EXPECT_EQ(w.pt.lookup(0x20'3000)->size, PageSize::size_4k);
    expect_agrees(w, model, probes(0x20'0000, M2, 32), false);
    EXPECT_FALSE(w.pt.lookup(0x7000'0000'0000));
    w.alloc.fail_in(1);
    auto r = w.pt.prepare(0x6000'0000'0000, PageSize::size_4k);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), MapError::out_of_memory);
    EXPECT_EQ(w.pt.prepare(0x1001, PageSize::size_4k).error(), MapError::misaligned);
    EXPECT_TRUE(w.cleanup.tables.empty() && w.cleanup.frames.empty());
    EXPECT_EQ(w.audit(), "");
}

// --- out of memory at every allocation point --------------------------------------------------------------

struct OomCase {
    const char* name;
    std::function<void(World&)> setup;
    std::function<kernel::Result<Flush, MapError>(World&)> op;
    std::function<void(models::AddressSpace&)> model_setup;
    VirtAddr probe_va;
    std::uint64_t probe_bytes;
};

std::vector<OomCase> oom_cases() {
    const Attributes a = rw;
    auto m = [](models::AddressSpace& s, VirtAddr va, PhysAddr pa, std::uint64_t bytes, std::uint64_t size) {
        s.map(va, pa, bytes, size, models::Rights{true, false, false}, models::Cache::write_back, false);
    };
    return {
        {"fresh_4k_path", [](World&) {},
         [a](World& w) { return w.pt.map(0x7000'4000'0000, 0x9000, K4, PageSize::size_4k, a, w.cleanup); },
         [](models::AddressSpace&) {}, 0x7000'4000'0000, K4},
        {"range_over_two_tables", [](World&) {},
         [a](World& w) { return w.pt.map(0x3f'e000, 0x9000, 4 * K4, PageSize::size_4k, a, w.cleanup); },
         [](models::AddressSpace&) {}, 0x3f'e000, 4 * K4},
        {"split_1g_then_2m",
         [a](World& w) { (void)w.pt.map(G1, 0x40'0000'0000, G1, PageSize::size_1g, a, w.cleanup); },
         [a](World& w) { return w.pt.map(G1 + 3 * M2 + K4, 0x9000, K4, PageSize::size_4k, a, w.cleanup); },
         [m](models::AddressSpace& s) { m(s, G1, 0x40'0000'0000, G1, G1); }, G1 + 3 * M2, M2},
        {"protect_splits_both_ends",
         [a](World& w) { (void)w.pt.map(0, 0, 4 * M2, PageSize::size_2m, a, w.cleanup); },
         [](World& w) { return w.pt.protect(M2 - K4, M2 + 2 * K4, Rights{}, w.cleanup); },
         [m](models::AddressSpace& s) { m(s, 0, 0, 4 * M2, M2); }, M2 - K4, M2 + 2 * K4},
    };
}

TEST(PageTable, OutOfMemoryAtEachAllocationPointChangesNoTranslationAndLeaksNothing) {
    for (const OomCase& c : oom_cases()) {
        // How many allocations does the operation make when memory is plentiful?
        std::uint64_t needed;
        {
            World w;
            c.setup(w);
            const std::uint64_t before = w.alloc.calls;
            ASSERT_TRUE(c.op(w).ok()) << c.name;
            needed = w.alloc.calls - before;
        }
        ASSERT_GT(needed, 0u) << c.name;
        for (std::uint64_t n = 1; n <= needed; ++n) {
            SCOPED_TRACE(std::string(c.name) + ": allocation " + std::to_string(n) + " of " +
                         std::to_string(needed));
            World w;
            c.setup(w);
            models::AddressSpace model;
            c.model_setup(model);
            w.cleanup = RecordingCleanup{};
            w.alloc.fail_in(n);
            auto r = c.op(w);
            ASSERT_FALSE(r.ok());
            EXPECT_EQ(r.error(), MapError::out_of_memory);
            EXPECT_TRUE(w.cleanup.tables.empty() && w.cleanup.frames.empty()); // nothing retired
            // Translations as before; page sizes may differ where a superpage was split before memory ran
            // out.
            expect_agrees(w, model, probes(c.probe_va, c.probe_bytes, 64), false);
            EXPECT_EQ(w.audit(), ""); // every allocated table reachable: no leak
            w.alloc.fail_in(0);
            EXPECT_TRUE(c.op(w).ok()); // and the operation goes through once memory is back
        }
    }
}

// --- races, played through the memory fake's hook ----------------------------------------------------------

TEST(PageTable, LoserOfATableInstallRaceFreesItsTableAndUsesTheWinners) {
    World w;
    TestPageTable other = w.pt; // a second CPU on the same tree
    RecordingCleanup other_cleanup;
    bool raced = false;
    w.mem.before_update = [&](PhysAddr) {
        if (raced) return;
        raced = true; // just before our first install, the other CPU maps a neighbour (installing the path)
        ASSERT_TRUE(other.map(0x5000, 0x77000, K4, PageSize::size_4k, rw, other_cleanup).ok());
    };
    ASSERT_TRUE(w.pt.map(0x3000, 0x33000, K4, PageSize::size_4k, rw, w.cleanup).ok());
    EXPECT_EQ(w.alloc.freed_unpublished, 1u); // lost the PDPT install, then found the rest in place
    EXPECT_EQ(w.pt.lookup(0x3000)->frame, 0x33000u);
    EXPECT_EQ(w.pt.lookup(0x5000)->frame, 0x77000u);
    EXPECT_EQ(w.alloc.live.size(), 4u); // one path: PML4, PDPT, PD, PT
    EXPECT_EQ(w.audit(), "");
}

TEST(PageTable, WriterInADetachedTableRestartsFromTheRoot) {
    World w;
    ASSERT_TRUE(w.pt.map(0x20'0000, 0x10'0000, K4, PageSize::size_4k, rw, w.cleanup).ok()); // PT exists
    TestPageTable other = w.pt;
    RecordingCleanup other_cleanup;
    const VirtAddr target = 0x20'5000;
    bool raced = false;
    w.mem.before_update = [&](PhysAddr) {
        if (raced) return;
        raced = true; // just before our leaf CAS, the other CPU puts a 2 MiB page over the whole table
        ASSERT_TRUE(other.map(0x20'0000, 0x80'0000, M2, PageSize::size_2m, ro, other_cleanup).ok());
    };
    ASSERT_TRUE(w.pt.map(target, 0x55000, K4, PageSize::size_4k, rw, w.cleanup).ok());
    // Serial order: the 2 MiB page, then our 4 KiB page splitting it.
    models::AddressSpace model;
    model.map(0x20'0000, 0x80'0000, M2, M2, to_model(ro.rights), models::Cache::write_back, false);
    model.map(target, 0x55000, K4, K4, to_model(rw.rights), models::Cache::write_back, false);
    expect_agrees(w, model, probes(target, K4, 64));
    EXPECT_EQ(other_cleanup.tables.size(), 1u);
    std::vector<PhysAddr> retired = other_cleanup.tables;
    EXPECT_EQ(kernel::mem::testing::audit(w.ram, w.pt.root(), w.alloc, retired), "");
}

TEST(PageTable, UpdateLandingInADetachedTableBeforeItsClaimIsRetiredWithIt) {
    World w;
    ASSERT_TRUE(w.pt.map(0x20'0000, 0x10'0000, K4, PageSize::size_4k, rw, w.cleanup).ok());
    TestPageTable other = w.pt;
    RecordingCleanup other_cleanup;
    // The other CPU detaches the table; we write into it before the claim reaches our slot. Played by
    // interleaving by hand: detach, then our install, then the claim (all through `exchange`).
    PhysAddr pd = w.ram.read(w.ram.read(w.pt.root()) & 0x000f'ffff'ffff'f000) & 0x000f'ffff'ffff'f000;
    PhysAddr pt = w.ram.read(pd + 8) & 0x000f'ffff'ffff'f000;
    bool ours_done = false;
    w.mem.before_update = [&](PhysAddr entry) {
        if (entry == pt && !ours_done) { // the claim is about to start: our update lands first
            ours_done = true;
            std::uint64_t expected = 0;
            // Our CPU had already walked to the old table; its CAS into slot 5 succeeds there.
            ASSERT_TRUE(w.mem.compare_exchange(pt, 5, expected, arch::PteEncoding::leaf(0x55000, rw, 1)));
        }
    };
    ASSERT_TRUE(other.map(0x20'0000, 0x80'0000, M2, PageSize::size_2m, ro, other_cleanup).ok());
    EXPECT_TRUE(ours_done);
    // Our translation happened and was then replaced: its frame was retired by the detaching CPU, once.
    int retired = 0;
    for (auto f : other_cleanup.frames) retired += f.frame == 0x55000;
    EXPECT_EQ(retired, 1);
    EXPECT_EQ(w.pt.lookup(0x20'5000)->frame, 0x80'0000u);
    EXPECT_EQ(w.pt.lookup(0x20'5000)->size, PageSize::size_2m);
}

} // namespace
