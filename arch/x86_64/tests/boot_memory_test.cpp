// find_free_range (arch/x86_64/smp/boot_memory.hpp): where the port places the AP trampoline and AP stacks.
#include "arch/x86_64/smp/boot_memory.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace {

using kernel::boot::MemoryMap;
using kernel::boot::MemoryType;
using kernel::mem::PhysRange;

MemoryMap map_of(std::initializer_list<kernel::boot::MemoryRegion> regions) {
    MemoryMap m;
    for (const auto& r : regions) m.regions[m.count++] = r;
    return m;
}

constexpr std::uint64_t KiB = 1024, MiB = 1024 * KiB;

TEST(BootMemory, LowestFitInAUsableRegion) {
    MemoryMap m = map_of({{0, 640 * KiB, MemoryType::usable},
                          {640 * KiB, 384 * KiB, MemoryType::reserved},
                          {MiB, 127 * MiB, MemoryType::usable}});
    EXPECT_EQ(arch::x86::find_free_range(m, {}, 4 * KiB, 4 * KiB, 4 * KiB, MiB), 4 * KiB);
    EXPECT_EQ(arch::x86::find_free_range(m, {}, 80 * KiB, 4 * KiB, MiB, ~0ull), MiB);
}

TEST(BootMemory, StepsOverTakenRangesAndAligns) {
    MemoryMap m = map_of({{MiB, 15 * MiB, MemoryType::usable}});
    std::vector<PhysRange> taken = {{MiB, 3 * MiB + 5}, {3 * MiB + 8 * KiB, 3 * MiB + 12 * KiB}};
    // 3 MiB + 5 rounds up to 3 MiB + 4 KiB; 8 KiB do not fit before the second range, so past it.
    EXPECT_EQ(arch::x86::find_free_range(m, taken, 8 * KiB, 4 * KiB, 0, ~0ull), 3 * MiB + 12 * KiB);
    EXPECT_EQ(arch::x86::find_free_range(m, taken, 4 * KiB, 4 * KiB, 0, ~0ull), 3 * MiB + 4 * KiB);
    // Unordered and overlapping taken ranges: the furthest-reaching clash is skipped in one step.
    std::vector<PhysRange> messy = {{2 * MiB, 5 * MiB}, {MiB, 4 * MiB}, {4 * MiB, 4 * MiB + 1}};
    EXPECT_EQ(arch::x86::find_free_range(m, messy, MiB, MiB, 0, ~0ull), 5 * MiB);
}

TEST(BootMemory, NeverOutsideUsableMemoryOrTheWindow) {
    MemoryMap m = map_of({{0, 4 * KiB, MemoryType::usable},
                          {4 * KiB, 60 * KiB, MemoryType::acpi_reclaimable},
                          {64 * KiB, 64 * KiB, MemoryType::usable}});
    // The first region is below the floor, the second is not usable, the third is cut by the ceiling.
    EXPECT_EQ(arch::x86::find_free_range(m, {}, 4 * KiB, 4 * KiB, 4 * KiB, 72 * KiB), 64 * KiB);
    EXPECT_FALSE(arch::x86::find_free_range(m, {}, 16 * KiB, 4 * KiB, 4 * KiB, 72 * KiB));
    const std::vector<PhysRange> third = {{64 * KiB, 128 * KiB}};
    EXPECT_FALSE(arch::x86::find_free_range(m, third, 4 * KiB, 4 * KiB, 4 * KiB, ~0ull));
}

TEST(BootMemory, RejectsNonsense) {
    MemoryMap m = map_of({{0, ~0ull - 4 * KiB, MemoryType::usable}});
    EXPECT_FALSE(arch::x86::find_free_range(m, {}, 0, 4 * KiB, 0, ~0ull));
    EXPECT_FALSE(arch::x86::find_free_range(m, {}, 4 * KiB, 3 * KiB, 0, ~0ull));
    // Alignment near the top of the address space must not wrap around to a low address.
    const std::vector<PhysRange> low = {{0, ~0ull - 8 * KiB}};
    EXPECT_FALSE(arch::x86::find_free_range(m, low, 4 * KiB, 1ull << 63, 1, ~0ull));
}

} // namespace
