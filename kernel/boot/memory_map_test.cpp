// normalise_memory_map: loader entries (e820 types, possibly unsorted and overlapping) into the MemoryMap
// whose invariants bootinfo.hpp states. Expected maps are worked out by hand from those rules:
//   * e820 types: 1 usable, 3 ACPI reclaimable, 4 ACPI NVS, 5 bad, anything else reserved;
//   * where entries overlap the higher kind wins: reserved > bad > ACPI NVS > ACPI reclaimable > usable;
//   * usable RAM keeps only whole 4 KiB pages; other kinds keep their exact bytes;
//   * adjacent regions of one kind merge; zero-sized entries are ignored; wrapping entries are errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "kernel/boot/bootinfo.hpp"
#include "kernel/boot/testing/memory_map_check.hpp"

namespace {

using namespace kernel::boot;
using kernel::boot::testing::memory_map_violation;
using kernel::boot::testing::spans;
using kernel::boot::testing::str;
using Span = kernel::boot::testing::Span;

constexpr auto U = MemoryType::usable;
constexpr auto AR = MemoryType::acpi_reclaimable;
constexpr auto AN = MemoryType::acpi_nvs;
constexpr auto B = MemoryType::bad;
constexpr auto R = MemoryType::reserved;

struct Normalised {
    bool ok;
    BootError error{};
    MemoryMap map{};
};

Normalised normalise(const std::vector<RawRegion>& raw) {
    Normalised n{};
    auto r = normalise_memory_map(raw.data(), raw.size(), n.map);
    n.ok = r.ok();
    if (!r)
        n.error = r.error();
    else
        EXPECT_EQ(memory_map_violation(n.map), "");
    return n;
}

std::vector<Span> map_of(const std::vector<RawRegion>& raw) {
    Normalised n = normalise(raw);
    EXPECT_TRUE(n.ok) << str(to_string(n.error.kind)) << ": " << n.error.what;
    return spans(n.map);
}

TEST(MemoryMap, EmptyInputGivesAnEmptyMap) {
    Normalised n = normalise({});
    ASSERT_TRUE(n.ok);
    EXPECT_EQ(n.map.count, 0u);
    EXPECT_EQ(n.map.usable_bytes(), 0u);
}

TEST(MemoryMap, E820TypeNumbersMapToKinds) {
    // Disjoint, page-aligned entries with gaps between them, so nothing merges or trims.
    std::vector<RawRegion> raw;
    const std::uint32_t types[] = {0, 1, 2, 3, 4, 5, 6, 7, 12, 0xffffffff};
    for (std::size_t i = 0; i < std::size(types); ++i) raw.push_back({0x10000 * i, 0x1000, types[i]});
    const MemoryType expected[] = {R, U, R, AR, AN, B, R, R, R, R};
    auto got = map_of(raw);
    ASSERT_EQ(got.size(), std::size(types));
    for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i], (Span{0x10000 * i, 0x10000 * i + 0x1000, expected[i]})) << "e820 type " << types[i];
    }
}

TEST(MemoryMap, UnsortedInputComesOutSorted) {
    EXPECT_EQ(
        map_of({{0x300000, 0x1000, 2}, {0x100000, 0x2000, 1}, {0x0, 0x1000, 1}, {0x200000, 0x800, 3}}),
        (std::vector<Span>{
            {0x0, 0x1000, U}, {0x100000, 0x102000, U}, {0x200000, 0x200800, AR}, {0x300000, 0x301000, R}}));
}

TEST(MemoryMap, EachHigherKindWinsAnOverlapWithEachLowerOne) {
    // e820 numbers in increasing precedence.
    const std::uint32_t e820_by_rank[] = {1, 3, 4, 5, 2};
    const MemoryType kind_by_rank[] = {U, AR, AN, B, R};
    for (std::size_t lo = 0; lo < 5; ++lo) {
        for (std::size_t hi = lo + 1; hi < 5; ++hi) {
            // The lower kind covers [0, 0x3000); the higher one [0x1000, 0x2000) inside it, listed first or
            // last.
            for (bool higher_first : {false, true}) {
                std::vector<RawRegion> raw{{0x0, 0x3000, e820_by_rank[lo]}};
                RawRegion inner{0x1000, 0x1000, e820_by_rank[hi]};
                raw.insert(higher_first ? raw.begin() : raw.end(), inner);
                EXPECT_EQ(map_of(raw), (std::vector<Span>{{0x0, 0x1000, kind_by_rank[lo]},
                                                          {0x1000, 0x2000, kind_by_rank[hi]},
                                                          {0x2000, 0x3000, kind_by_rank[lo]}}))
                    << "lower " << str(to_string(kind_by_rank[lo])) << ", higher "
                    << str(to_string(kind_by_rank[hi]));
            }
        }
    }
}

TEST(MemoryMap, PartialOverlapSplitsAtTheBoundaries) {
    // usable [0, 0x5000) and ACPI NVS [0x3000, 0x8000): NVS wins on the shared part.
    EXPECT_EQ(map_of({{0x3000, 0x5000, 4}, {0x0, 0x5000, 1}}),
              (std::vector<Span>{{0x0, 0x3000, U}, {0x3000, 0x8000, AN}}));
}

TEST(MemoryMap, ReservedInsideAPageOfRamCostsTheWholePage) {
    // 0x100 reserved bytes in the middle of usable RAM: the page around them is no longer whole usable RAM.
    EXPECT_EQ(map_of({{0x0, 0x4000, 1}, {0x1800, 0x100, 2}}),
              (std::vector<Span>{{0x0, 0x1000, U}, {0x1800, 0x1900, R}, {0x2000, 0x4000, U}}));
}

TEST(MemoryMap, AdjacentRegionsOfOneKindMerge) {
    EXPECT_EQ(map_of({{0x0, 0x1000, 1}, {0x1000, 0x1000, 1}, {0x2000, 0x2000, 1}}),
              (std::vector<Span>{{0x0, 0x4000, U}}));
    EXPECT_EQ(map_of({{0x10, 0x10, 2}, {0x20, 0x30, 2}}), (std::vector<Span>{{0x10, 0x50, R}}));
    // Different e820 numbers that are all "reserved" merge too: the kind is what counts.
    EXPECT_EQ(map_of({{0x0, 0x100, 2}, {0x100, 0x100, 7}, {0x200, 0x100, 0}}),
              (std::vector<Span>{{0x0, 0x300, R}}));
}

TEST(MemoryMap, AdjacentRegionsOfDifferentKindsStaySeparate) {
    EXPECT_EQ(map_of({{0x0, 0x1000, 1}, {0x1000, 0x1000, 3}, {0x2000, 0x1000, 4}}),
              (std::vector<Span>{{0x0, 0x1000, U}, {0x1000, 0x2000, AR}, {0x2000, 0x3000, AN}}));
}

TEST(MemoryMap, OverlappingAndDuplicateEntriesOfOneKindMerge) {
    EXPECT_EQ(map_of({{0x0, 0x3000, 1}, {0x1000, 0x3000, 1}, {0x0, 0x3000, 1}}),
              (std::vector<Span>{{0x0, 0x4000, U}}));
}

TEST(MemoryMap, UsableRamIsTrimmedToWholePages) {
    EXPECT_EQ(map_of({{0x500, 0x3300, 1}}), (std::vector<Span>{{0x1000, 0x3000, U}}));
    // Pieces that do not contain one whole page vanish.
    EXPECT_EQ(map_of({{0x500, 0x200, 1}}), (std::vector<Span>{}));
    EXPECT_EQ(map_of({{0x1800, 0x1000, 1}}), (std::vector<Span>{}));
    // Exactly one page survives.
    EXPECT_EQ(map_of({{0xfff, 0x1002, 1}}), (std::vector<Span>{{0x1000, 0x2000, U}}));
}

TEST(MemoryMap, OnlyUsableRamIsTrimmed) {
    EXPECT_EQ(map_of({{0x500, 0x200, 2}, {0x9fc00, 0x400, 3}, {0xe0001, 0x3, 5}}),
              (std::vector<Span>{{0x500, 0x700, R}, {0x9fc00, 0xa0000, AR}, {0xe0001, 0xe0004, B}}));
}

TEST(MemoryMap, UsableRunIsMergedBeforeItIsTrimmed) {
    // Two unaligned halves that together hold a whole page: the page is usable.
    EXPECT_EQ(map_of({{0x800, 0x1000, 1}, {0x1800, 0x1000, 1}}), (std::vector<Span>{{0x1000, 0x2000, U}}));
}

TEST(MemoryMap, ZeroSizedEntriesAreIgnoredWherever) {
    EXPECT_EQ(map_of({{0x1000, 0, 2}, {0x0, 0x2000, 1}, {~std::uint64_t{0}, 0, 2}, {0x1800, 0, 5}}),
              (std::vector<Span>{{0x0, 0x2000, U}}));
}

TEST(MemoryMap, HighAddressesUpToTheLastRepresentableByte) {
    constexpr std::uint64_t top = ~std::uint64_t{0};
    // Ends at 2^64 - 1: representable, kept. A usable region there loses its partial last page.
    EXPECT_EQ(map_of({{top - 0x2fff, 0x2fff, 1}, {top - 0x10, 0x10, 2}}),
              (std::vector<Span>{{top - 0x2fff, top - 0xfff, U}, {top - 0x10, top, R}}));
    // A base near the top that rounds up past 2^64 leaves nothing whole.
    EXPECT_EQ(map_of({{top - 0x800, 0x800, 1}}), (std::vector<Span>{}));
}

TEST(MemoryMap, EntryWrappingPastTheTopIsRejected) {
    Normalised n = normalise({{0x0, 0x1000, 1}, {0xffff'ffff'ffff'f000, 0x2000, 2}});
    ASSERT_FALSE(n.ok);
    EXPECT_EQ(n.error.kind, BootErrorKind::bad_range);
    // An entry whose end is exactly 2^64 cannot be represented as base + size either.
    n = normalise({{0xffff'ffff'ffff'f000, 0x1000, 2}});
    ASSERT_FALSE(n.ok);
    EXPECT_EQ(n.error.kind, BootErrorKind::bad_range);
    n = normalise({{~std::uint64_t{0}, ~std::uint64_t{0}, 1}});
    ASSERT_FALSE(n.ok);
    EXPECT_EQ(n.error.kind, BootErrorKind::bad_range);
}

TEST(MemoryMap, FailureLeavesTheMapEmpty) {
    MemoryMap m;
    m.count = 3;
    std::vector<RawRegion> raw{{0x0, 0x1000, 1}, {~std::uint64_t{0} - 5, 0x10, 1}};
    ASSERT_FALSE(normalise_memory_map(raw.data(), raw.size(), m).ok());
    EXPECT_EQ(m.count, 0u);
    // Also when the map fills up part way: no half-built map is left behind.
    raw = {{0x0, 0x1000 * 1001, 1}};
    for (std::uint64_t i = 0; i < 200; ++i) raw.push_back({0x1000 * (5 * i + 1), 0x1000, 2});
    ASSERT_FALSE(normalise_memory_map(raw.data(), raw.size(), m).ok());
    EXPECT_EQ(m.count, 0u);
}

TEST(MemoryMap, MoreRawEntriesThanTheParsersDeliverIsRejected) {
    // 256 is the most either parser hands over; more is refused before any work.
    std::vector<RawRegion> raw;
    for (std::uint64_t i = 0; i < 257; ++i) raw.push_back({i * 0x2000, 0x1000, 1});
    Normalised n = normalise(raw);
    ASSERT_FALSE(n.ok);
    EXPECT_EQ(n.error.kind, BootErrorKind::too_many_entries);
    raw.pop_back();
    n = normalise(raw);
    ASSERT_TRUE(n.ok);
    EXPECT_EQ(n.map.count, 256u);
}

TEST(MemoryMap, ResultNeedingMoreThanCapacityRegionsIsRejected) {
    // One big usable region cut by 200 reserved pages: 200 reserved + 201 usable pieces > 256 regions.
    std::vector<RawRegion> raw{{0x0, 0x1000 * 401, 1}};
    for (std::uint64_t i = 0; i < 200; ++i) raw.push_back({0x1000 * (2 * i + 1), 0x1000, 2});
    Normalised n = normalise(raw);
    ASSERT_FALSE(n.ok);
    EXPECT_EQ(n.error.kind, BootErrorKind::too_many_entries);
}

TEST(MemoryMap, CapacityCountsTheFinalMapNotDroppedPieces) {
    // 200 reserved 0x100-byte pieces in usable RAM, 0x100 apart: the usable gaps between them are smaller
    // than a page and disappear, so the final map is just the 200 reserved pieces, which fits.
    std::vector<RawRegion> raw{{0x0, 0x200 * 200, 1}};
    for (std::uint64_t i = 0; i < 200; ++i) raw.push_back({0x200 * i + 0x100, 0x100, 2});
    Normalised n = normalise(raw);
    ASSERT_TRUE(n.ok) << str(to_string(n.error.kind));
    ASSERT_EQ(n.map.count, 200u);
    for (std::size_t i = 0; i < 200; ++i)
        EXPECT_EQ(spans(n.map)[i], (Span{0x200 * i + 0x100, 0x200 * i + 0x200, R}));
}

TEST(MemoryMap, UsableBytesCountsOnlyUsableRegions) {
    Normalised n =
        normalise({{0x0, 0x9fc00, 1}, {0x9fc00, 0x400, 2}, {0x100000, 0x100000, 1}, {0x300000, 0x5000, 3}});
    ASSERT_TRUE(n.ok);
    EXPECT_EQ(n.map.usable_bytes(), 0x9f000u + 0x100000u);
}

TEST(MemoryMap, PrintsOneLinePerRegion) {
    Normalised n = normalise({{0x0, 0x2000, 1}, {0x2000, 0x1000, 2}});
    ASSERT_TRUE(n.ok);
    char buf[512];
    kernel::BufferSink sink(buf, sizeof buf);
    put(sink, n.map);
    std::string text = str(sink.view());
    EXPECT_NE(text.find("0x000000000000, 0x000000002000) usable"), std::string::npos) << text;
    EXPECT_NE(text.find("0x000000002000, 0x000000003000) reserved"), std::string::npos) << text;
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
}

} // namespace
