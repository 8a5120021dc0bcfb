// parse_pvh against start_info images laid out from Xen's arch-x86/hvm/start_info.h (see pvh_builder.hpp).
// Expected values come from that header (0 means "not present"; later versions stay backwards-compatible;
// memory-map types are the ACPI address range types) and from the memory-map rules of bootinfo.hpp.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kernel/boot/bootinfo.hpp"
#include "kernel/boot/testing/fake_phys.hpp"
#include "kernel/boot/testing/memory_map_check.hpp"
#include "kernel/boot/testing/pvh_builder.hpp"

namespace {

using namespace kernel::boot;
using namespace kernel::boot::testing;

constexpr auto U = MemoryType::usable;
constexpr auto R = MemoryType::reserved;

/// The e820 table QEMU hands a 128 MiB PVH guest.
const std::vector<PvhMemmapEntry> qemu_128m = {
    {0x0, 0x9fc00, hvm_memmap::ram},
    {0x9fc00, 0x400, hvm_memmap::reserved},
    {0xf0000, 0x10000, hvm_memmap::reserved},
    {0x100000, 0x7ee0000, hvm_memmap::ram},
    {0x7fe0000, 0x20000, hvm_memmap::reserved},
    {0xfeffc000, 0x4000, hvm_memmap::reserved},
    {0xfffc0000, 0x40000, hvm_memmap::reserved},
};
const std::vector<Span> qemu_128m_normalised = {
    {0x0, 0x9f000, U},
    {0x9fc00, 0xa0000, R},
    {0xf0000, 0x100000, R},
    {0x100000, 0x7fe0000, U},
    {0x7fe0000, 0x8000000, R},
    {0xfeffc000, 0xff000000, R},
    {0xfffc0000, 0x100000000, R},
};

class Pvh : public ::testing::Test {
protected:
    Pvh() : mem(0, 0x100000) {
        mem.set_strict(true);
        image.memmap = qemu_128m;
    }

    bool parse_image() {
        image.write_to(mem);
        mem.clear_log();
        auto r = parse_pvh(mem, image.start_info_pa, info);
        if (!r)
            error = r.error();
        else
            EXPECT_EQ(memory_map_violation(info.memory), "");
        return r.ok();
    }
    void expect_rejected(BootErrorKind kind, std::uint64_t location) {
        ASSERT_FALSE(parse_image()) << "accepted";
        EXPECT_EQ(error.kind, kind) << str(to_string(error.kind)) << ": " << error.what;
        EXPECT_EQ(error.location, location) << error.what;
    }

    FakePhys mem;
    PvhImage image;
    BootInfo info;
    BootError error{};
};

// ------------------------------------------------------------------------------------------- good input

TEST_F(Pvh, QemuLikeStartInfoParsesCompletely) {
    image.cmdline = "console=ttyS0 verbose";
    image.rsdp_paddr = 0xf5a40;
    image.modules = {{0x400000, 0x12345, std::nullopt}}; // -initrd: a module without a command line
    ASSERT_TRUE(parse_image()) << error.what;
    EXPECT_EQ(info.protocol, Protocol::pvh);
    EXPECT_STREQ(info.cmdline, "console=ttyS0 verbose");
    EXPECT_EQ(info.acpi_rsdp, 0xf5a40u);
    ASSERT_EQ(info.module_count, 1u);
    EXPECT_EQ(info.modules[0].base, 0x400000u);
    EXPECT_EQ(info.modules[0].size, 0x12345u);
    EXPECT_STREQ(info.modules[0].name, "");
    EXPECT_EQ(spans(info.memory), qemu_128m_normalised);
    EXPECT_STREQ(info.loader_name, "");
    EXPECT_EQ(info.framebuffer.kind, Framebuffer::Kind::none);
    EXPECT_FALSE(mem.refused_any());
}

TEST_F(Pvh, ModulesKeepTheirOrderAndCommandLines) {
    image.modules = {{0x200000, 0x1000, "root task"}, {0x300000, 0, ""}, {0x400000, 0x10, "third one"}};
    ASSERT_TRUE(parse_image()) << error.what;
    ASSERT_EQ(info.module_count, 3u);
    EXPECT_STREQ(info.modules[0].name, "root task");
    EXPECT_EQ(info.modules[1].base, 0x300000u);
    EXPECT_EQ(info.modules[1].size, 0u);
    EXPECT_STREQ(info.modules[1].name, "");
    EXPECT_EQ(info.modules[2].size, 0x10u);
    EXPECT_STREQ(info.modules[2].name, "third one");
}

TEST_F(Pvh, AbsentFieldsAreZero) {
    ASSERT_TRUE(parse_image()) << error.what;
    EXPECT_STREQ(info.cmdline, "");
    EXPECT_EQ(info.module_count, 0u);
    EXPECT_EQ(info.acpi_rsdp, 0u);
}

TEST_F(Pvh, LaterVersionsAreReadAsVersion1) {
    for (std::uint32_t version : {2u, 7u, 0xffffffffu}) {
        image.version = version;
        image.cmdline = "v" + std::to_string(version);
        ASSERT_TRUE(parse_image()) << error.what;
        EXPECT_EQ(info.cmdline, image.cmdline);
        EXPECT_EQ(spans(info.memory), qemu_128m_normalised);
    }
}

TEST_F(Pvh, FlagsDoNotMatter) {
    image.flags = 0xffffffff;
    ASSERT_TRUE(parse_image()) << error.what;
}

TEST_F(Pvh, MemoryMapTypesAreTheAcpiAddressRangeTypes) {
    image.memmap = {{0x00000, 0x1000, hvm_memmap::ram},      {0x10000, 0x1000, hvm_memmap::reserved},
                    {0x20000, 0x1000, hvm_memmap::acpi},     {0x30000, 0x1000, hvm_memmap::nvs},
                    {0x40000, 0x1000, hvm_memmap::unusable}, {0x50000, 0x1000, hvm_memmap::disabled},
                    {0x60000, 0x1000, hvm_memmap::pmem}};
    ASSERT_TRUE(parse_image()) << error.what;
    EXPECT_EQ(spans(info.memory), (std::vector<Span>{{0x00000, 0x01000, U},
                                                     {0x10000, 0x11000, R},
                                                     {0x20000, 0x21000, MemoryType::acpi_reclaimable},
                                                     {0x30000, 0x31000, MemoryType::acpi_nvs},
                                                     {0x40000, 0x41000, MemoryType::bad},
                                                     {0x50000, 0x51000, R},
                                                     {0x60000, 0x61000, R}}));
}

TEST_F(Pvh, LongStringsAreTruncated) {
    image.cmdline = std::string(3000, 'x');
    image.modules = {{0x1000, 0x1000, std::string(500, 'n')}};
    ASSERT_TRUE(parse_image()) << error.what;
    EXPECT_EQ(std::string(info.cmdline), std::string(BootInfo::cmdline_capacity - 1, 'x'));
    EXPECT_EQ(std::string(info.modules[0].name), std::string(Module::name_capacity - 1, 'n'));
}

TEST_F(Pvh, StartInfoMayEndExactlyAtTheEndOfReadableMemory) {
    image.start_info_pa = 0x100000 - hvm_start_info_size;
    ASSERT_TRUE(parse_image()) << error.what;
    EXPECT_FALSE(mem.refused_any());
}

TEST_F(Pvh, MemoryMapMayEndExactlyAtTheEndOfReadableMemory) {
    image.memmap_pa = 0x100000 - hvm_memmap_entry_size * qemu_128m.size();
    ASSERT_TRUE(parse_image()) << error.what;
    EXPECT_FALSE(mem.refused_any());
}

TEST_F(Pvh, CommandLineMayEndExactlyAtTheEndOfReadableMemory) {
    image.strings_pa = 0x100000 - 0x200;
    image.cmdline = std::string(0x200 - 1, 'e'); // its NUL is the last readable byte
    ASSERT_TRUE(parse_image()) << error.what;
    EXPECT_FALSE(mem.refused_any());
}

TEST_F(Pvh, SixteenModulesAnd256MemoryMapEntriesFit) {
    for (std::uint64_t i = 0; i < BootInfo::max_modules; ++i) image.modules.push_back({0x100000 * i, i, "m"});
    image.memmap.clear();
    image.strings_pa = 0xa000; // after the 6 KiB memory map
    for (std::uint64_t i = 0; i < 256; ++i) image.memmap.push_back({0x2000 * i, 0x1000, hvm_memmap::ram});
    ASSERT_TRUE(parse_image()) << error.what;
    EXPECT_EQ(info.module_count, BootInfo::max_modules);
    EXPECT_EQ(info.memory.count, 256u);
}

TEST_F(Pvh, ParseDispatchesOnTheProtocol) {
    image.cmdline = "via parse";
    image.write_to(mem);
    ASSERT_TRUE(parse(Protocol::pvh, mem, image.start_info_pa, info).ok());
    EXPECT_EQ(info.protocol, Protocol::pvh);
    EXPECT_STREQ(info.cmdline, "via parse");
}

// ------------------------------------------------------------------------------------------ start_info

TEST_F(Pvh, WrongMagicIsRejected) {
    // Zero, the magic byte-swapped, and the multiboot2 loader magic.
    for (std::uint32_t magic : {0u, 0x78c56e33u, 0x36d76289u}) {
        image.magic = magic;
        expect_rejected(BootErrorKind::bad_magic, image.start_info_pa);
        EXPECT_EQ(error.value, magic);
    }
}

TEST_F(Pvh, TheMagicIsXen3WithTheHighBitOfTheE) {
    EXPECT_EQ(pvh_start_info_magic, xen_hvm_start_magic);
    // Little-endian bytes 'x', 'E' | 0x80, 'n', '3'.
    EXPECT_EQ(xen_hvm_start_magic, std::uint32_t{'x'} | std::uint32_t{'E' | 0x80} << 8 |
                                       std::uint32_t{'n'} << 16 | std::uint32_t{'3'} << 24);
}

TEST_F(Pvh, Version0HasNoMemoryMap) {
    image.version = 0;
    // A version-0 structure is 40 bytes: the parser must not need more to say what is wrong.
    mem.set_window(0, image.start_info_pa + 40);
    expect_rejected(BootErrorKind::no_memory_map, image.start_info_pa + 4);
}

TEST_F(Pvh, StartInfoOutsideReadableMemoryIsRejected) {
    mem.set_window(0x7000, 0x100000);
    expect_rejected(BootErrorKind::unreadable, image.start_info_pa);
}

TEST_F(Pvh, Version1StartInfoCutShortIsRejected) {
    mem.set_window(0, image.start_info_pa + 48);
    expect_rejected(BootErrorKind::unreadable, image.start_info_pa);
}

TEST_F(Pvh, StartInfoAtTheTopOfTheAddressSpaceIsRejected) {
    for (std::uint64_t pa : {~std::uint64_t{0} - 39, ~std::uint64_t{0} - 7, std::uint64_t{1} << 52}) {
        auto r = parse_pvh(mem, pa, info);
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().kind, BootErrorKind::unreadable);
    }
}

// ------------------------------------------------------------------------------------------ command line

TEST_F(Pvh, CommandLineOutsideReadableMemoryIsRejected) {
    image.cmdline_paddr = 0x200000;
    expect_rejected(BootErrorKind::unreadable, 0x200000);
}

TEST_F(Pvh, CommandLineRunningOffReadableMemoryIsRejected) {
    image.strings_pa = 0x100000 - 4;
    image.cmdline = "abc";
    mem.set_window(0, 0x100000 - 1); // the NUL is not readable
    expect_rejected(BootErrorKind::unreadable, 0x100000 - 1);
}

TEST_F(Pvh, CommandLineAtTheTopOfTheAddressSpaceIsRejected) {
    FakePhys top(~std::uint64_t{0} - 0xfff, 0xfff); // the last 4 KiB but one byte
    image.start_info_pa = top.base();
    image.memmap_pa = top.base() + 0x100;
    image.strings_pa = top.base() + 0x400;
    image.write_to(top);
    top.write_u64(image.start_info_pa + 24, ~std::uint64_t{0} - 2); // "ab" then the end of the address space
    top.write(~std::uint64_t{0} - 2, "ab", 2);
    auto r = parse_pvh(top, image.start_info_pa, info);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, BootErrorKind::unreadable);
}

TEST_F(Pvh, CommandLineWithoutTerminatorWithin4KiBIsRejected) {
    image.cmdline_paddr = 0x20000; // memory there is zero-filled except for what we write
    mem.write(0x20000, std::string(8192, 'z').data(), 8192);
    expect_rejected(BootErrorKind::unterminated, 0x20000);
}

// ------------------------------------------------------------------------------------------------ modules

TEST_F(Pvh, TooManyModulesAreRejected) {
    image.modules = {{0x1000, 1, std::nullopt}};
    for (std::uint32_t n : {17u, 0x10000u, 0xffffffffu}) {
        image.nr_modules = n;
        expect_rejected(BootErrorKind::too_many_entries, image.start_info_pa + 12);
        EXPECT_EQ(error.value, n);
    }
}

TEST_F(Pvh, ModuleCountWithoutAModuleListIsRejected) {
    // Address 0 means "not present": a count of modules that are not there is a lie, not a list at 0.
    image.nr_modules = 2;
    image.modlist_paddr = 0;
    expect_rejected(BootErrorKind::bad_size, image.start_info_pa + 12);
}

TEST_F(Pvh, ModuleListOutsideReadableMemoryIsRejected) {
    image.modules = {{0x1000, 1, std::nullopt}};
    image.modlist_paddr = 0x400000;
    expect_rejected(BootErrorKind::unreadable, 0x400000);
}

TEST_F(Pvh, ModuleListRunningOffReadableMemoryIsRejected) {
    image.modules = {{0x1000, 1, std::nullopt}, {0x2000, 1, std::nullopt}};
    image.modlist_pa = 0x80000;
    mem.set_window(0, image.modlist_pa + 32 + 16); // the second entry is cut
    expect_rejected(BootErrorKind::unreadable, image.modlist_pa);
}

TEST_F(Pvh, ModuleListWrappingTheAddressSpaceIsRejected) {
    image.modules = {{0x1000, 1, std::nullopt}};
    image.nr_modules = 16;
    image.modlist_paddr = ~std::uint64_t{0} - 100;
    expect_rejected(BootErrorKind::unreadable, ~std::uint64_t{0} - 100);
}

TEST_F(Pvh, ModuleWrappingTheAddressSpaceIsRejected) {
    image.modules = {{0x1000, 1, std::nullopt}, {0xfffffffffffff000, 0x1000, std::nullopt}};
    expect_rejected(BootErrorKind::bad_range, image.modlist_pa + 32);
}

TEST_F(Pvh, ModuleCommandLineOutsideReadableMemoryIsRejected) {
    image.modules = {{0x1000, 1, "name"}};
    image.write_to(mem);
    mem.write_u64(image.modlist_pa + 16, 0x300000);
    mem.clear_log();
    auto r = parse_pvh(mem, image.start_info_pa, info);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, BootErrorKind::unreadable);
    EXPECT_EQ(r.error().location, 0x300000u);
}

// --------------------------------------------------------------------------------------------- memory map

TEST_F(Pvh, NoMemoryMapIsRejected) {
    image.memmap_entries = 0;
    expect_rejected(BootErrorKind::no_memory_map, image.start_info_pa + 48);
    image.memmap_entries.reset();
    image.memmap_paddr = 0;
    expect_rejected(BootErrorKind::no_memory_map, image.start_info_pa + 40);
}

TEST_F(Pvh, TooManyMemoryMapEntriesAreRejected) {
    for (std::uint32_t n : {257u, 0x10000u, 0xffffffffu}) {
        image.memmap_entries = n;
        expect_rejected(BootErrorKind::too_many_entries, image.start_info_pa + 48);
        EXPECT_EQ(error.value, n);
    }
}

TEST_F(Pvh, MemoryMapOutsideReadableMemoryIsRejected) {
    image.memmap_paddr = 0x180000;
    expect_rejected(BootErrorKind::unreadable, 0x180000);
}

TEST_F(Pvh, MemoryMapRunningOffReadableMemoryIsRejected) {
    image.memmap_pa = 0x100000 - 24 * (qemu_128m.size() - 1);
    image.memmap.pop_back();
    image.memmap_entries = static_cast<std::uint32_t>(qemu_128m.size()); // one more than is there
    expect_rejected(BootErrorKind::unreadable, image.memmap_pa);
}

TEST_F(Pvh, MemoryMapWrappingTheAddressSpaceIsRejected) {
    image.memmap_paddr = ~std::uint64_t{0} - 23;
    image.memmap_entries = 2;
    expect_rejected(BootErrorKind::unreadable, ~std::uint64_t{0} - 23);
}

TEST_F(Pvh, MemoryMapEntryWrappingPast2To64IsRejected) {
    image.memmap.push_back({0xffffffffffff0000, 0x10000, hvm_memmap::reserved});
    expect_rejected(BootErrorKind::bad_range, image.memmap_pa + 24 * qemu_128m.size());
}

TEST_F(Pvh, OverlappingMemoryMapIsNormalised) {
    image.memmap = {{0x100000, 0x400000, hvm_memmap::ram},
                    {0x0, 0x100000, hvm_memmap::ram},
                    {0x200800, 0x100, hvm_memmap::acpi}};
    ASSERT_TRUE(parse_image()) << error.what;
    EXPECT_EQ(spans(info.memory), (std::vector<Span>{{0x0, 0x200000, U},
                                                     {0x200800, 0x200900, MemoryType::acpi_reclaimable},
                                                     {0x201000, 0x500000, U}}));
}

} // namespace
