// Device memory by capability (docs/abi.md "Device memory"): mmio_create hands out only device memory of the
// test machine (kernel/syscall/testing/test_machine.hpp: RAM, reserved ranges, holes, APIC pages), never two
// memory types for one page; mmio_map's mappings carry the object's type through every delegation (seen
// through hostsim's page walker, which decodes PWT/PCD through the PAT); and when the object dies every
// mapping made from it goes, in every domain, with its shootdown.
#include <gtest/gtest.h>

#include <vector>

#include "hostsim/tlb_contract.hpp"
#include "kernel/mapdb/testing/mem_world.hpp"
#include "kernel/obj/device_memory.hpp"
#include "kernel/obj/mmio.hpp"
#include "kernel/syscall/testing/test_machine.hpp"

namespace {

using namespace kernel;
using kernel::testing::MemWorld;
namespace machine = kernel::testing::machine;
namespace spec = janus::abi;
namespace R = spec::rights;
using S = spec::Syscall;
using E = spec::Error;
using hostsim::MemoryType;
using hostsim::PageWalk;

constexpr std::uint64_t page = 4096;
constexpr std::uint64_t control = spec::root_sel::mmio_control, root_pd = spec::root_sel::pd;
constexpr std::uint64_t uc = spec::mmio_uncached, wc = spec::mmio_write_combining;
constexpr std::uint64_t vga = machine::vga;

struct Child {
    Pd* pd;
    Thread* thread;
};

struct MmioTest : ::testing::Test {
    MemWorld w;

    Child child(std::uint64_t sel) {
        Thread& t = w.k.child_with_thread(sel, 1 << 16);
        return {t.pd, &t};
    }
    E create(std::uint64_t dest, std::uint64_t phys, std::uint64_t pages, std::uint64_t type) {
        return w.k.call(S::mmio_create, {dest, control, phys, pages, type}).status;
    }
    /// The walk of `va` in `pd` if it maps `frame` for ring 3 (else why not).
    std::string device(const Pd& pd, std::uint64_t va, std::uint64_t frame, MemoryType type, bool write) {
        PageWalk x = w.walk(pd, va);
        if (x.outcome != PageWalk::Outcome::mapped) return "not mapped";
        if (x.phys != frame) return "another frame";
        if (!x.user) return "not a user page";
        if (x.executable) return "executable";
        if (x.writable != write) return write ? "not writable" : "writable";
        if (x.type != type) return "memory type " + std::to_string(static_cast<int>(x.type));
        return {};
    }
};

// ---- what is device memory

TEST_F(MmioTest, HolesAndReservedRangesAreDeviceMemory) {
    EXPECT_EQ(create(10, vga, 8, uc), E::ok) << "the VGA text buffer (a hole)";
    EXPECT_EQ(create(11, 0xa'0000, 0x18, wc), E::ok) << "the legacy hole below the text buffer";
    EXPECT_EQ(create(12, 0xc'0000, 16, uc), E::ok) << "the option-ROM hole";
    EXPECT_EQ(create(13, 0xf'0000, 15, uc), E::ok) << "the BIOS area up to the page before RAM at 1 MiB";
    EXPECT_EQ(create(14, machine::ecam, 0x10000, uc), E::ok) << "the whole ECAM window (reserved)";
    EXPECT_EQ(create(15, 0x800'0000, 1, wc), E::ok) << "the first page after the ACPI NVS range";
    EXPECT_EQ(create(16, 0x2'0000'1000, 256, wc), E::ok) << "above all RAM but its guard page";
    EXPECT_EQ(create(17, spec::mmio_phys_limit - page, 1, wc), E::ok) << "the last page below the limit";
    EXPECT_EQ(create(18, machine::ioapic - page, 1, uc), E::ok) << "the page below the I/O APIC";
    EXPECT_EQ(create(19, machine::ioapic + page, 1, uc), E::ok) << "the page above the I/O APIC";
    EXPECT_EQ(create(20, machine::lapic - page, 1, uc), E::ok) << "the page below the local APIC";
    EXPECT_EQ(create(21, machine::lapic + page, 1, uc), E::ok) << "the page above the local APIC";
    Mmio& m = w.k.at<Mmio>(w.k.root(), 10);
    EXPECT_EQ(m.phys(), vga);
    EXPECT_EQ(m.pages(), 8u);
    EXPECT_EQ(w.check(), "");
}

TEST_F(MmioTest, RamAndTheKernelsRegistersAreRefusedAtEveryBoundary) {
    const std::uint64_t used = w.used(w.k.root());
    struct Case {
        std::uint64_t phys, pages;
        const char* what;
    };
    const Case refused[] = {
        {0x0, 1, "the first page of low RAM"},
        {0x9'e000, 1, "the last page of low RAM"},
        {0x9'e000, 2, "a range starting in low RAM and ending in reserved memory"},
        {0x9'f000, 1, "the page after low RAM (it may hold RAM the boot map dropped)"},
        {0xf'f000, 1, "the page before RAM at 1 MiB"},
        {0x2'0000'0000, 1, "the page after high RAM"},
        {0xf'f000, 2, "a range ending one page into RAM at 1 MiB"},
        {0x10'0000, 1, "RAM at 1 MiB (where kernels load)"},
        {0x7fd'f000, 3, "a range from usable RAM across the ACPI tables"},
        {0x7fe'0000, 1, "ACPI reclaimable memory"},
        {0x7ff'f000, 1, "ACPI NVS memory"},
        {0x7ff'f000, 2, "a range from ACPI NVS into the hole"},
        {0xe000'0000 - page, 0x10002,
         "the ECAM window with a page of hole on each side and RAM nowhere: fine"},
        {0x1'0000'0000, 1, "bad memory"},
        {0x1'0001'0000, 1, "high RAM"},
        {0x1'ffff'f000, 2, "a range starting in the last page of high RAM"},
        {machine::ioapic, 1, "the I/O APIC"},
        {machine::lapic, 1, "the local APIC"},
        {machine::ioapic - page, 2, "a range ending one page into the I/O APIC"},
        {0xf000'0000, 0x1'0000, "the whole 4th GiB's top, covering both APICs"},
        {0x0, 0x2'0000'0000 / page + 1, "everything"},
    };
    std::uint64_t sel = 10;
    for (const Case& c : refused) {
        const bool device = machine::is_device(c.phys, c.phys + c.pages * page);
        EXPECT_EQ(create(sel, c.phys, c.pages, uc), device ? E::ok : E::invalid_argument) << c.what;
        if (device) ++sel;
    }
    EXPECT_EQ(sel, 11u) << "exactly one case above is device memory";
    EXPECT_EQ(w.k.object_at(w.k.root(), 11), nullptr);
    EXPECT_EQ(w.used(w.k.root()), used + spec::charge::mmio) << "only the accepted object was charged";
}

TEST_F(MmioTest, MalformedRangesAndTypesAreRefused) {
    EXPECT_EQ(create(10, vga + 8, 1, uc), E::invalid_argument) << "misaligned";
    EXPECT_EQ(create(10, vga, 0, uc), E::invalid_argument) << "empty";
    EXPECT_EQ(create(10, vga, 1, 2), E::invalid_argument) << "no such memory type";
    EXPECT_EQ(create(10, vga, 1, ~0ull), E::invalid_argument);
    EXPECT_EQ(create(10, spec::mmio_phys_limit - page, 2, uc), E::invalid_argument) << "past the limit";
    EXPECT_EQ(create(10, spec::mmio_phys_limit, 1, uc), E::invalid_argument) << "at the limit";
    EXPECT_EQ(create(10, ~0ull & ~(page - 1), 1, uc), E::invalid_argument) << "the last page of 64 bits";
    EXPECT_EQ(create(10, 0x2'0000'0000, (~0ull / page) + 1, uc), E::invalid_argument) << "wraps";
    EXPECT_EQ(create(10, 0x2'0000'0000, 1ull << 52, uc), E::invalid_argument) << "wraps in bytes";
    EXPECT_EQ(w.k.object_at(w.k.root(), 10), nullptr);
}

/// Every range of one to three pages starting within two pages of a boundary of the machine's map agrees
/// with the oracle (a plain scan of the tables, test_machine.hpp).
TEST_F(MmioTest, EveryRangeNearABoundaryAgreesWithTheOracle) {
    std::vector<std::uint64_t> edges;
    for (const auto& r : machine::memory_map) edges.insert(edges.end(), {r.base, r.end});
    for (const auto& r : machine::kernel_owned) edges.insert(edges.end(), {r.base, r.end});
    unsigned accepted = 0, refused = 0;
    for (std::uint64_t edge : edges)
        for (std::uint64_t start = edge < 2 * page ? 0 : edge - 2 * page; start <= edge + 2 * page;
             start += page)
            for (std::uint64_t pages = 1; pages <= 3; ++pages) {
                const bool device = machine::is_device(start, start + pages * page);
                const E got = create(10, start, pages, wc);
                ASSERT_EQ(got, device ? E::ok : E::invalid_argument) << std::hex << start << " + " << pages;
                if (got == E::ok) {
                    ++accepted;
                    w.k.ok(S::cap_delete, {10});
                } else {
                    ++refused;
                }
            }
    EXPECT_GT(accepted, 20u);
    EXPECT_GT(refused, 20u);
    EXPECT_EQ(w.check(), "");
}

TEST_F(MmioTest, APageHasOneMemoryTypeWhileAnObjectLives) {
    ASSERT_EQ(create(10, vga, 8, uc), E::ok);
    EXPECT_EQ(create(11, vga, 8, wc), E::invalid_argument) << "the same range write-combining";
    EXPECT_EQ(create(11, vga + 7 * page, 4, wc), E::invalid_argument) << "overlapping its last page";
    EXPECT_EQ(create(11, vga - page, 2, wc), E::invalid_argument) << "overlapping its first page";
    EXPECT_EQ(create(11, vga + 8 * page, 1, wc), E::ok) << "the page after it";
    EXPECT_EQ(create(12, vga - page, 1, wc), E::ok) << "the page before it";
    EXPECT_EQ(create(13, vga + 2 * page, 2, uc), E::ok) << "the same type may overlap";
    w.k.ok(S::cap_delete, {10});
    EXPECT_EQ(create(10, vga, 4, wc), E::invalid_argument) << "object 13 still makes pages 2..3 uncached";
    EXPECT_EQ(create(10, vga, 2, wc), E::ok) << "pages 0..1 are free of uncached objects now";
    w.k.ok(S::cap_delete, {10});
    w.k.ok(S::cap_delete, {13});
    EXPECT_EQ(create(10, vga, 8, wc), E::ok) << "no uncached object left";
    EXPECT_EQ(w.check(), "");
}

TEST_F(MmioTest, NothingIsDeviceMemoryUntilTheTableIsSealedOrAfterItOverflowed) {
    DeviceMemory d;
    EXPECT_FALSE(d.is_device(vga, vga + page)) << "not filled yet";
    d.exclude(0, 0xa'0000);
    d.seal();
    EXPECT_TRUE(d.is_device(vga, vga + page));
    EXPECT_FALSE(d.is_device(0x9'f000, 0xa'1000));
    EXPECT_FALSE(d.is_device(vga, vga)) << "an empty range";
    for (std::uint64_t i = 0; i < DeviceMemory::capacity; ++i)
        d.exclude(0x1'0000'0000 + 2 * i * page, 0x1'0000'0000 + (2 * i + 1) * page); // never adjacent
    EXPECT_TRUE(d.overflowed());
    EXPECT_FALSE(d.is_device(vga, vga + page)) << "a table that lost a range refuses everything";
}

// ---- mapping

TEST_F(MmioTest, MapMapsTheObjectsPagesWithItsMemoryTypeAndTheRightsAsked) {
    Child a = child(20);
    ASSERT_EQ(create(10, vga, 8, uc), E::ok);
    ASSERT_EQ(create(11, 0xa'0000, 4, wc), E::ok);
    const std::uint64_t used = w.used(*a.pd);
    w.k.ok(S::mmio_map, {10, 20, 0x4000'0000, 2, 3, R::read | R::write});
    w.k.ok(S::mmio_map, {11, 20, 0x4010'0000, 0, 1, R::read});
    EXPECT_EQ(device(*a.pd, 0x4000'0000, vga + 2 * page, MemoryType::uc, true), "");
    EXPECT_EQ(device(*a.pd, 0x4000'2000, vga + 4 * page, MemoryType::uc, true), "");
    EXPECT_TRUE(w.unmapped(*a.pd, 0x4000'3000));
    EXPECT_EQ(device(*a.pd, 0x4010'0000, 0xa'0000, MemoryType::wc, false), "");
    // A node per page; one level-2 and one level-1 table for both ranges (1 GiB and 2 MiB regions at
    // 0x40000000; the level-3 table exists for the child's UTCB).
    EXPECT_EQ(w.used(*a.pd), used + 4 * spec::charge::mapping + 2 * spec::charge::page_table);
    EXPECT_EQ(w.check(), "");
}

// The quota covers the mapping but the page source runs dry before the tables it needs are reserved: the same
// answer as an exhausted quota, and nothing changed (mem_map's MemMap.APageSourceRunningDry... for mmio_map).
TEST_F(MmioTest, APageSourceRunningDryIsQuotaExhaustedWithNothingChanged) {
    Child a = child(20);
    ASSERT_EQ(create(10, vga, 8, uc), E::ok);
    const std::string before = kernel::testing::snapshot(w.k.kernel());
    const std::size_t pages = w.k.pages().outstanding();
    for (std::size_t extra = 0; extra < 2; ++extra) {
        // 0x40000000 is a fresh 1 GiB region of the child's space: a page directory and a page table.
        w.k.pages().set_limit(pages + extra);
        EXPECT_EQ(w.k.call(S::mmio_map, {10, 20, 0x4000'0000, 0, 8, R::read | R::write}).status,
                  E::quota_exhausted)
            << extra << " pages left";
        EXPECT_TRUE(w.unmapped(*a.pd, 0x4000'0000));
        EXPECT_EQ(w.k.pages().outstanding(), pages);
        EXPECT_EQ(kernel::testing::snapshot(w.k.kernel()), before);
    }
    w.k.pages().set_limit(~std::size_t{0});
    w.k.ok(S::mmio_map, {10, 20, 0x4000'0000, 0, 8, R::read | R::write});
    EXPECT_EQ(device(*a.pd, 0x4000'7000, vga + 7 * page, MemoryType::uc, true), "");
    EXPECT_EQ(w.check(), "");
}

TEST_F(MmioTest, MapChecksItsArgumentsInOrderAndChangesNothingOnError) {
    Child a = child(20);
    ASSERT_EQ(create(10, vga, 8, uc), E::ok);
    w.k.ok(S::cap_copy, {10, root_pd, 12, R::read | R::grant, 0});
    const std::uint64_t used = w.used(*a.pd);
    auto map = [&](std::uint64_t sel, std::uint64_t pd, std::uint64_t va, std::uint64_t off, std::uint64_t n,
                   std::uint64_t rights) {
        return w.k.call(S::mmio_map, {sel, pd, va, off, n, rights}).status;
    };
    const std::uint64_t rw = R::read | R::write;
    EXPECT_EQ(map(10, 20, 0x4000'0000, 0, 1, R::read | R::exec), E::invalid_argument) << "exec never";
    EXPECT_EQ(map(10, 20, 0x4000'0000, 0, 1, R::write), E::invalid_argument) << "read is required";
    EXPECT_EQ(map(10, 20, 0x4000'0000, 0, 1, R::read | R::control), E::invalid_argument);
    EXPECT_EQ(map(10, 20, 0x4000'0000, 0, 0, R::read), E::invalid_argument) << "no pages";
    EXPECT_EQ(map(99, 20, 0x4000'0000, 0, 1, R::read), E::bad_selector);
    EXPECT_EQ(map(10, 99, 0x4000'0000, 0, 1, R::read), E::bad_selector);
    EXPECT_EQ(map(20, 20, 0x4000'0000, 0, 1, R::read), E::wrong_type);
    EXPECT_EQ(map(10, 10, 0x4000'0000, 0, 1, R::read), E::wrong_type);
    EXPECT_EQ(map(12, 20, 0x4000'0000, 0, 1, rw), E::missing_rights) << "the capability lacks write";
    EXPECT_EQ(map(10, 20, 0x4000'0000, 8, 1, R::read), E::invalid_argument) << "offset past the end";
    EXPECT_EQ(map(10, 20, 0x4000'0000, 7, 2, R::read), E::invalid_argument) << "count past the end";
    EXPECT_EQ(map(10, 20, 0x4000'0000, 1, ~0ull, R::read), E::invalid_argument) << "wrapping count";
    EXPECT_EQ(map(10, 20, 0x4000'0800, 0, 1, R::read), E::bad_address) << "misaligned";
    EXPECT_EQ(map(10, 20, spec::user_end - page, 0, 2, R::read), E::bad_address) << "leaves user space";
    EXPECT_EQ(map(10, 20, 0x10000, 0, 1, R::read), E::mapping_conflict) << "the child's UTCB is there";
    EXPECT_EQ(w.used(*a.pd), used);
    EXPECT_TRUE(w.unmapped(*a.pd, 0x4000'0000));
    EXPECT_EQ(map(12, 20, 0x4000'0000, 0, 8, R::read | R::grant), E::ok) << "a read-only copy maps read-only";
    EXPECT_EQ(device(*a.pd, 0x4000'7000, vga + 7 * page, MemoryType::uc, false), "");
    EXPECT_EQ(map(10, 20, 0x4000'6000, 0, 4, R::read), E::mapping_conflict) << "partly taken";
    EXPECT_EQ(w.check(), "");
}

TEST_F(MmioTest, DelegatedMappingsKeepTheMemoryTypeAndUnmapRevokesThem) {
    Child a = child(20), b = child(30);
    w.k.ok(S::cap_copy, {30, 20, 1, R::all, 0}); // A may map into B
    ASSERT_EQ(create(10, 0xa'0000, 2, wc), E::ok);
    w.k.ok(S::mmio_map, {10, 20, 0x4000'0000, 0, 2, R::read | R::write | R::grant});
    w.k.ok(*a.thread, S::mem_map, {MemWorld::fp(0x4000'0000, 12, R::read | R::write), 1, 0x5000'0000, 0});
    w.k.ok(*a.thread, S::mem_map, {MemWorld::fp(0x4000'1000, 12, R::read), 1, 0x5000'1000, spec::map_grant});
    EXPECT_EQ(device(*b.pd, 0x5000'0000, 0xa'0000, MemoryType::wc, true), "");
    EXPECT_EQ(device(*b.pd, 0x5000'1000, 0xa'1000, MemoryType::wc, false), "") << "granted: moved, same type";
    EXPECT_TRUE(w.unmapped(*a.pd, 0x4000'1000));
    EXPECT_EQ(w.check(), "");
    w.k.ok(*a.thread, S::mem_unmap, {MemWorld::fp(0x4000'0000, 12, 0), 0});
    EXPECT_TRUE(w.unmapped(*b.pd, 0x5000'0000)) << "the holder revokes what it delegated";
    EXPECT_EQ(device(*a.pd, 0x4000'0000, 0xa'0000, MemoryType::wc, true), "");
    w.k.ok(*a.thread, S::mem_unmap, {MemWorld::fp(0x4000'0000, 12, 0), spec::unmap_self});
    EXPECT_TRUE(w.unmapped(*a.pd, 0x4000'0000));
    EXPECT_EQ(w.check(), "");
}

// ---- lifetime

TEST_F(MmioTest, TheObjectsDeathUnmapsEveryMappingMadeFromItWithShootdowns) {
    Child a = child(20), b = child(30);
    w.k.ok(S::cap_copy, {30, 20, 1, R::all, 0});
    ASSERT_EQ(create(10, vga, 4, uc), E::ok);
    ASSERT_EQ(create(11, vga, 4, uc), E::ok); // a second object over the same pages
    w.k.ok(S::mmio_map, {10, 20, 0x4000'0000, 0, 4, R::read | R::write | R::grant});
    w.k.ok(S::mmio_map, {11, 20, 0x4100'0000, 0, 1, R::read});
    w.k.ok(*a.thread, S::mem_map, {MemWorld::fp(0x4000'0000, 13, R::read | R::write), 1, 0x5000'0000, 0});
    w.k.ok(*a.thread, S::mem_map, {MemWorld::fp(0x4000'2000, 12, R::read), 1, 0x5000'2000, spec::map_grant});
    const std::uint64_t used_a = w.used(*a.pd), used_b = w.used(*b.pd);
    mapdb::address_space_enter(a.pd->memory, 1);
    mapdb::address_space_enter(b.pd->memory, 2);
    auto& log = hostsim::tlb_requests();
    log.clear();
    w.k.ok(S::cap_delete, {10});
    for (std::uint64_t va : {0x4000'0000ull, 0x4000'1000ull, 0x4000'2000ull, 0x4000'3000ull})
        EXPECT_TRUE(w.unmapped(*a.pd, va)) << std::hex << va;
    for (std::uint64_t va : {0x5000'0000ull, 0x5000'1000ull, 0x5000'2000ull})
        EXPECT_TRUE(w.unmapped(*b.pd, va)) << "derived and granted-away mappings go too: " << std::hex << va;
    EXPECT_EQ(device(*a.pd, 0x4100'0000, vga, MemoryType::uc, false), "") << "the other object's stays";
    arch::CpuMask shot{};
    for (const auto& r : log) shot.bits |= r.cpus.bits;
    EXPECT_EQ(shot.bits, (1u << 1) | (1u << 2)) << "both domains' CPUs invalidated before the call returned";
    EXPECT_EQ(w.used(*a.pd), used_a - 3 * spec::charge::mapping) << "nodes refunded, tables kept";
    EXPECT_EQ(w.used(*b.pd), used_b - 3 * spec::charge::mapping);
    EXPECT_EQ(w.check(), "");
}

TEST_F(MmioTest, DeletingADerivedCapabilityUnmapsNothingTheLastOneEverything) {
    Child a = child(20);
    ASSERT_EQ(create(10, vga, 1, uc), E::ok);
    w.k.ok(S::cap_copy, {10, root_pd, 11, R::read | R::write, 0});
    w.k.ok(S::mmio_map, {11, 20, 0x4000'0000, 0, 1, R::read | R::write});
    w.k.ok(S::cap_delete, {11});
    EXPECT_EQ(device(*a.pd, 0x4000'0000, vga, MemoryType::uc, true), "")
        << "mappings are not capabilities (docs/abi.md)";
    w.k.ok(S::cap_revoke, {10});
    EXPECT_EQ(device(*a.pd, 0x4000'0000, vga, MemoryType::uc, true), "");
    w.k.ok(S::cap_delete, {10});
    EXPECT_TRUE(w.unmapped(*a.pd, 0x4000'0000));
    EXPECT_EQ(w.check(), "");
}

TEST_F(MmioTest, ThePayersDeathTakesTheObjectAndItsMappings) {
    Child a = child(20);
    w.k.ok(S::cap_copy, {control, 20, 2, R::all, 0});
    w.k.ok(S::cap_copy, {root_pd, 20, 3, R::all, 0});
    w.k.ok(*a.thread, S::mmio_create, {4, 2, vga, 2, uc});
    w.k.ok(*a.thread, S::mmio_map, {4, 3, 0x4000'0000, 0, 2, R::read});
    EXPECT_EQ(device(w.k.root(), 0x4000'1000, vga + page, MemoryType::uc, false), "");
    EXPECT_EQ(create(10, vga, 1, wc), E::invalid_argument);
    w.k.ok(S::cap_delete, {20});
    EXPECT_TRUE(w.unmapped(w.k.root(), 0x4000'0000));
    EXPECT_TRUE(w.unmapped(w.k.root(), 0x4000'1000));
    EXPECT_EQ(create(10, vga, 1, wc), E::ok) << "the dead object no longer fixes the memory type";
    EXPECT_EQ(w.check(), "");
}

TEST_F(MmioTest, TheReceiversDeathLeavesTheObjectConsistent) {
    Child a = child(20);
    ASSERT_EQ(create(10, vga, 2, uc), E::ok);
    w.k.ok(S::mmio_map, {10, 20, 0x4000'0000, 0, 2, R::read | R::grant});
    w.k.ok(S::mmio_map, {10, root_pd, 0x4000'0000, 0, 1, R::read | R::grant});
    w.k.ok(S::cap_delete, {20});
    EXPECT_EQ(w.check(), "");
    EXPECT_EQ(device(w.k.root(), 0x4000'0000, vga, MemoryType::uc, false), "");
    w.k.ok(S::cap_delete, {10});
    EXPECT_TRUE(w.unmapped(w.k.root(), 0x4000'0000));
    EXPECT_EQ(w.check(), "");
    (void)a;
}

} // namespace
