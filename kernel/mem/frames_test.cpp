// The kernel's frame allocator built from a boot memory map on hostsim: exactly the usable frames inside the
// physical-memory window, minus reserved ranges rounded outwards and the allocator's own bookkeeping.
#include <gtest/gtest.h>
#include <set>

#include "hostsim/machine.hpp"
#include "kernel/mem/frames.hpp"

namespace {

using kernel::boot::MemoryMap;
using kernel::boot::MemoryType;
using kernel::mem::FrameAllocator;
using kernel::mem::FramesError;
using kernel::mem::PhysAddr;
using kernel::mem::PhysRange;

constexpr PhysAddr MiB = 1ull << 20;

MemoryMap sample_map() {
    MemoryMap m;
    m.regions[m.count++] = {0x1000, 0x9e000, MemoryType::usable};
    m.regions[m.count++] = {0x9f000, 0x61000, MemoryType::reserved};
    m.regions[m.count++] = {1 * MiB, 47 * MiB, MemoryType::usable};
    m.regions[m.count++] = {48 * MiB, 1 * MiB, MemoryType::acpi_reclaimable};
    m.regions[m.count++] = {49 * MiB, 31 * MiB, MemoryType::usable}; // ends beyond the 64 MiB window
    return m;
}

TEST(Frames, DonatesExactlyUsableMinusReservedMinusBookkeeping) {
    hostsim::Machine machine; // 64 MiB of simulated RAM: the window is [0, 64 MiB)
    const PhysRange reserved[] = {
        {1 * MiB, 3 * MiB + 100},      // kernel image, end rounded up to 0x301000
        {10 * MiB + 0x800, 11 * MiB},  // a module, start rounded down
        {0xffff'ffff'ffff'f000, 0x10}, // wraps: ignored
        {200 * MiB, 300 * MiB},        // outside every region
    };
    std::set<PhysAddr> got;
    PhysRange meta{};
    machine.run([&] {
        FrameAllocator alloc;
        auto r = kernel::mem::init_frames(alloc, sample_map(), reserved);
        ASSERT_TRUE(r.ok());
        meta = r.value();
        while (auto pa = alloc.allocate(0)) got.insert(*pa);
        EXPECT_TRUE(alloc.check_invariants());
    });

    auto usable = [](PhysAddr f) {
        return (f >= 0x1000 && f < 0x9f000) || (f >= 1 * MiB && f < 48 * MiB) ||
               (f >= 49 * MiB && f < 64 * MiB);
    };
    auto reserved_frame = [](PhysAddr f) {
        return (f >= 1 * MiB && f < 3 * MiB + 0x1000) || (f >= 10 * MiB && f < 11 * MiB);
    };
    // Bookkeeping: one FrameInfo per frame from the 1 GiB boundary below the lowest usable frame (0) up to 64
    // MiB.
    const std::uint64_t meta_bytes = (64 * MiB / 4096) * sizeof(kernel::mem::FrameInfo);
    EXPECT_EQ(meta.end - meta.base, (meta_bytes + 4095) / 4096 * 4096);
    for (PhysAddr f = meta.base; f < meta.end; f += 4096) {
        EXPECT_TRUE(usable(f) && !reserved_frame(f)) << "bookkeeping placed on " << f;
    }
    std::set<PhysAddr> expected;
    for (PhysAddr f = 0; f < 80 * MiB; f += 4096)
        if (usable(f) && !reserved_frame(f) && !(f >= meta.base && f < meta.end)) expected.insert(f);
    EXPECT_EQ(got, expected);
}

TEST(Frames, ReportsWhenNothingUsableRemains) {
    hostsim::Machine machine;
    machine.run([&] {
        FrameAllocator alloc;
        MemoryMap m;
        m.regions[m.count++] = {1 * MiB, 1 * MiB, MemoryType::usable};
        const PhysRange all[] = {{0, 4 * MiB}};
        auto r = kernel::mem::init_frames(alloc, m, all);
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error(), FramesError::no_usable_memory);

        MemoryMap tiny; // two single frames far apart: neither holds the bookkeeping for the span between
        tiny.regions[tiny.count++] = {0x1000, 0x1000, MemoryType::usable};
        tiny.regions[tiny.count++] = {63 * MiB, 0x1000, MemoryType::usable};
        auto t = kernel::mem::init_frames(alloc, tiny, {});
        ASSERT_FALSE(t.ok());
        EXPECT_EQ(t.error(), FramesError::no_room_for_metadata);
    });
}

} // namespace
