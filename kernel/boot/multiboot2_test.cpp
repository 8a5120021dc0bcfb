// parse_multiboot2 against images built from the Multiboot2 specification (section 3.6, "Boot information").
// Expected values come from the specification and from the memory-map rules in bootinfo.hpp, worked out by
// hand; error locations are the physical address of the offending field as the interface promises.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kernel/boot/bootinfo.hpp"
#include "kernel/boot/testing/fake_phys.hpp"
#include "kernel/boot/testing/memory_map_check.hpp"
#include "kernel/boot/testing/multiboot2_builder.hpp"

namespace {

using namespace kernel::boot;
using namespace kernel::boot::testing;

constexpr auto U = MemoryType::usable;
constexpr auto R = MemoryType::reserved;

/// QEMU's e820 map (SeaBIOS) for a 128 MiB guest.
const std::vector<Mb2MmapEntry> qemu_128m = {
    {0x0, 0x9fc00, e820::usable},          {0x9fc00, 0x400, e820::reserved},
    {0xf0000, 0x10000, e820::reserved},    {0x100000, 0x7ee0000, e820::usable},
    {0x7fe0000, 0x20000, e820::reserved},  {0xfeffc000, 0x4000, e820::reserved},
    {0xfffc0000, 0x40000, e820::reserved},
};

/// What the map above normalises to: the usable RAM below 640 KiB loses its partial last page.
const std::vector<Span> qemu_128m_normalised = {
    {0x0, 0x9f000, U},
    {0x9fc00, 0xa0000, R},
    {0xf0000, 0x100000, R},
    {0x100000, 0x7fe0000, U},
    {0x7fe0000, 0x8000000, R},
    {0xfeffc000, 0xff000000, R},
    {0xfffc0000, 0x100000000, R},
};

class Multiboot2 : public ::testing::Test {
protected:
    static constexpr std::uint64_t info_pa = 0x10000;

    Multiboot2() : mem(0, 0x100000) { mem.set_strict(true); }

    /// Place `image` at `pa` and parse it; the readable window is all of the simulated memory.
    bool parse_at(const Bytes& image, std::uint64_t pa = info_pa) {
        mem.write(pa, image);
        auto r = parse_multiboot2(mem, pa, info);
        if (!r)
            error = r.error();
        else
            EXPECT_EQ(memory_map_violation(info.memory), "");
        return r.ok();
    }
    /// Parse, expecting rejection of `kind` with the offending field at info_pa + `offset`.
    void expect_rejected(const Bytes& image, BootErrorKind kind, std::uint64_t offset) {
        ASSERT_FALSE(parse_at(image)) << "accepted";
        EXPECT_EQ(error.kind, kind) << str(to_string(error.kind)) << ": " << error.what;
        EXPECT_EQ(error.location, info_pa + offset) << error.what;
        EXPECT_NE(error.what, nullptr);
    }

    FakePhys mem;
    BootInfo info;
    BootError error{};
};

Mb2Builder with_map() {
    Mb2Builder b;
    b.mmap(qemu_128m);
    return b;
}

// ------------------------------------------------------------------------------------------- good input

TEST_F(Multiboot2, GrubLikeBiosInformationParsesCompletely) {
    Mb2Builder b;
    b.cmdline("/boot/janus.elf verbose")
        .loader_name("GRUB 2.06-13+deb12u1")
        .module(0x200000, 0x21a000, "/boot/root.elf")
        .module(0x21a000, 0x21b234, "/boot/initrd tar")
        .basic_meminfo(639, 130048)
        .raw_tag(mb2_tag::bootdev, Bytes(12, std::byte{0xff}))
        .mmap(qemu_128m)
        .framebuffer_ega_text(0xb8000, 80, 25)
        .raw_tag(mb2_tag::elf_sections, Bytes(8 + 64 * 3, std::byte{0x11}))
        .raw_tag(mb2_tag::apm, Bytes(20, std::byte{0x22}))
        .acpi_old();
    ASSERT_TRUE(parse_at(b.build())) << error.what;

    EXPECT_EQ(info.protocol, Protocol::multiboot2);
    EXPECT_STREQ(info.cmdline, "/boot/janus.elf verbose");
    EXPECT_STREQ(info.loader_name, "GRUB 2.06-13+deb12u1");
    ASSERT_EQ(info.module_count, 2u);
    EXPECT_EQ(info.modules[0].base, 0x200000u);
    EXPECT_EQ(info.modules[0].size, 0x1a000u);
    EXPECT_STREQ(info.modules[0].name, "/boot/root.elf");
    EXPECT_EQ(info.modules[1].base, 0x21a000u);
    EXPECT_EQ(info.modules[1].size, 0x1234u);
    EXPECT_STREQ(info.modules[1].name, "/boot/initrd tar");
    // The memory map wins over the basic lower/upper sizes.
    EXPECT_EQ(spans(info.memory), qemu_128m_normalised);
    EXPECT_EQ(info.framebuffer.kind, Framebuffer::Kind::ega_text);
    EXPECT_EQ(info.framebuffer.address, 0xb8000u);
    EXPECT_EQ(info.framebuffer.width, 80u);
    EXPECT_EQ(info.framebuffer.height, 25u);
    EXPECT_EQ(info.framebuffer.pitch, 160u);
    EXPECT_EQ(info.framebuffer.bpp, 16u);
    // The RSDP copy starts right after the ACPI tag's 8-byte header (tag 10 in the order added).
    EXPECT_EQ(info.acpi_rsdp, info_pa + b.offset(10) + 8);
}

TEST_F(Multiboot2, GrubLikeUefiInformationPrefersTheAcpi2Rsdp) {
    for (bool new_first : {false, true}) {
        Mb2Builder b;
        b.loader_name("GRUB 2.06").mmap(qemu_128m);
        if (new_first)
            b.acpi_new().acpi_old();
        else
            b.acpi_old().acpi_new();
        b.raw_tag(mb2_tag::efi64, Bytes(8, std::byte{0x33}))
            .raw_tag(mb2_tag::efi_mmap, Bytes(8 + 48 * 4, std::byte{0x44}))
            .raw_tag(mb2_tag::efi64_ih, Bytes(8, std::byte{0x55}));
        ASSERT_TRUE(parse_at(b.build())) << error.what;
        std::size_t new_tag = new_first ? 2 : 3;
        EXPECT_EQ(info.acpi_rsdp, info_pa + b.offset(new_tag) + 8) << "new tag first: " << new_first;
    }
}

TEST_F(Multiboot2, NoAcpiTagMeansNoRsdp) {
    ASSERT_TRUE(parse_at(with_map().build()));
    EXPECT_EQ(info.acpi_rsdp, 0u);
    EXPECT_EQ(info.framebuffer.kind, Framebuffer::Kind::none);
    EXPECT_EQ(info.module_count, 0u);
    EXPECT_STREQ(info.cmdline, "");
    EXPECT_STREQ(info.loader_name, "");
}

TEST_F(Multiboot2, MinimalInformationWithOnlyAMemoryMap) {
    Mb2Builder b;
    b.mmap({{0x0, 0x80000, e820::usable}});
    Bytes image = b.build();
    EXPECT_EQ(image.size(), 8u + 16 + 24 + 8);
    ASSERT_TRUE(parse_at(image));
    EXPECT_EQ(spans(info.memory), (std::vector<Span>{{0x0, 0x80000, U}}));
}

TEST_F(Multiboot2, InformationMayEndExactlyAtTheEndOfReadableMemory) {
    Bytes image = with_map().cmdline("x").build();
    std::uint64_t pa = 0x100000 - image.size();
    ASSERT_EQ(pa % 8, 0u);
    mem.set_window(0, 0x100000);
    ASSERT_TRUE(parse_at(image, pa)) << error.what;
    EXPECT_STREQ(info.cmdline, "x");
}

TEST_F(Multiboot2, RgbFramebufferCarriesItsColourLayout) {
    const std::uint8_t fields[6] = {16, 8, 8, 8, 0, 8};
    ASSERT_TRUE(parse_at(with_map().framebuffer_rgb(0xfd000000, 4096, 1024, 768, 32, fields).build()));
    const Framebuffer& fb = info.framebuffer;
    EXPECT_EQ(fb.kind, Framebuffer::Kind::rgb);
    EXPECT_EQ(fb.address, 0xfd000000u);
    EXPECT_EQ(fb.pitch, 4096u);
    EXPECT_EQ(fb.width, 1024u);
    EXPECT_EQ(fb.height, 768u);
    EXPECT_EQ(fb.bpp, 32u);
    EXPECT_EQ(fb.red_shift, 16u);
    EXPECT_EQ(fb.red_bits, 8u);
    EXPECT_EQ(fb.green_shift, 8u);
    EXPECT_EQ(fb.green_bits, 8u);
    EXPECT_EQ(fb.blue_shift, 0u);
    EXPECT_EQ(fb.blue_bits, 8u);
}

TEST_F(Multiboot2, IndexedFramebufferIsRecognisedAndItsPaletteSkipped) {
    ASSERT_TRUE(
        parse_at(with_map().framebuffer_indexed(0xa0000, 320, 320, 200, 8, 5).cmdline("after").build()));
    EXPECT_EQ(info.framebuffer.kind, Framebuffer::Kind::indexed);
    EXPECT_EQ(info.framebuffer.width, 320u);
    EXPECT_STREQ(info.cmdline, "after");
}

TEST_F(Multiboot2, FramebufferOfAReservedTypeIsIgnored) {
    Bytes p;
    Mb2Builder::framebuffer_common(p, 0xe0000000, 100, 10, 10, 8, 7);
    ASSERT_TRUE(parse_at(with_map().raw_tag(mb2_tag::framebuffer, p).build()));
    EXPECT_EQ(info.framebuffer.kind, Framebuffer::Kind::none);
}

TEST_F(Multiboot2, BasicMemoryInformationStandsInForAMissingMap) {
    // Lower memory starts at 0, upper memory at 1 MiB; sizes in KiB. 639 KiB is not a whole number of pages.
    Mb2Builder b;
    b.basic_meminfo(639, 130048);
    ASSERT_TRUE(parse_at(b.build())) << error.what;
    EXPECT_EQ(spans(info.memory),
              (std::vector<Span>{{0x0, 0x9f000, U}, {0x100000, 0x100000 + 130048 * 1024ull, U}}));
}

TEST_F(Multiboot2, BasicLowerMemoryNeverExceeds640KiB) {
    // The specification caps lower memory at 640 KiB: a larger claim must not make the legacy video and BIOS
    // area (0xa0000 - 0x100000) usable.
    Mb2Builder b;
    b.basic_meminfo(1024 * 1024, 1024);
    ASSERT_TRUE(parse_at(b.build())) << error.what;
    EXPECT_EQ(spans(info.memory), (std::vector<Span>{{0x0, 0xa0000, U}, {0x100000, 0x200000, U}}));
}

TEST_F(Multiboot2, EmptyMemoryMapFallsBackToBasicInformation) {
    Mb2Builder b;
    b.mmap({}).basic_meminfo(640, 1024);
    ASSERT_TRUE(parse_at(b.build())) << error.what;
    EXPECT_EQ(spans(info.memory), (std::vector<Span>{{0x0, 0xa0000, U}, {0x100000, 0x200000, U}}));
}

TEST_F(Multiboot2, LargerMemoryMapEntriesOfALaterVersionAreRead) {
    // entry_size may grow in later versions; the first 24 bytes keep their meaning.
    Mb2Builder b;
    b.mmap({{0x0, 0x1000, e820::reserved}, {0x100000, 0x200000, e820::usable}}, 40, 1);
    ASSERT_TRUE(parse_at(b.build())) << error.what;
    EXPECT_EQ(spans(info.memory), (std::vector<Span>{{0x0, 0x1000, R}, {0x100000, 0x300000, U}}));
}

TEST_F(Multiboot2, UnknownTagsAreSkippedByTheirSize) {
    Mb2Builder b;
    b.raw_tag(0x1234, Bytes(1, std::byte{0xaa}))
        .raw_tag(mb2_tag::smbios, Bytes(13, std::byte{0xbb}))
        .raw_tag(0xffffffff, Bytes(0))
        .cmdline("seen")
        .raw_tag(mb2_tag::network, Bytes(300, std::byte{0x00}))
        .raw_tag(mb2_tag::efi_bs, Bytes(0))
        .raw_tag(mb2_tag::load_base_addr, Bytes(4, std::byte{0x01}))
        .raw_tag(mb2_tag::vbe, Bytes(776, std::byte{0x77}))
        .mmap(qemu_128m);
    ASSERT_TRUE(parse_at(b.build())) << error.what;
    EXPECT_STREQ(info.cmdline, "seen");
    EXPECT_EQ(spans(info.memory), qemu_128m_normalised);
}

TEST_F(Multiboot2, OddSizedTagsArePaddedToEightBytes) {
    // Strings of every length 0..9: each tag's size is not a multiple of 8, the next starts 8-aligned.
    Mb2Builder b;
    for (int n = 0; n < 10; ++n) b.loader_name(std::string(n, static_cast<char>('a' + n)));
    b.cmdline("last").mmap(qemu_128m);
    ASSERT_TRUE(parse_at(b.build())) << error.what;
    EXPECT_STREQ(info.loader_name, "jjjjjjjjj"); // the last loader name tag
    EXPECT_STREQ(info.cmdline, "last");
}

TEST_F(Multiboot2, BytesAfterTheEndTagAreIgnored) {
    Bytes image = with_map().build();
    image.resize(image.size() + 64, std::byte{0xcc});
    patch_u32(image, 0, static_cast<std::uint32_t>(image.size()));
    ASSERT_TRUE(parse_at(image)) << error.what;
}

TEST_F(Multiboot2, LongStringsAreTruncatedAndTerminated) {
    std::string cmd(1000, 'c'), loader(200, 'l'), name(100, 'm');
    ASSERT_TRUE(parse_at(with_map().cmdline(cmd).loader_name(loader).module(0x1000, 0x2000, name).build()));
    EXPECT_EQ(std::string(info.cmdline), cmd.substr(0, BootInfo::cmdline_capacity - 1));
    EXPECT_EQ(std::string(info.loader_name), loader.substr(0, BootInfo::loader_capacity - 1));
    EXPECT_EQ(std::string(info.modules[0].name), name.substr(0, Module::name_capacity - 1));
}

TEST_F(Multiboot2, EmptyModuleAndEmptyStringsAreValid) {
    ASSERT_TRUE(parse_at(with_map().cmdline("").module(0x5000, 0x5000, "").build()));
    EXPECT_STREQ(info.cmdline, "");
    ASSERT_EQ(info.module_count, 1u);
    EXPECT_EQ(info.modules[0].size, 0u);
    EXPECT_STREQ(info.modules[0].name, "");
}

TEST_F(Multiboot2, SixteenModulesFit) {
    Mb2Builder b = with_map();
    for (std::uint32_t i = 0; i < BootInfo::max_modules; ++i)
        b.module(0x100000 * i, 0x100000 * i + 0x1000 + i, "m");
    ASSERT_TRUE(parse_at(b.build())) << error.what;
    ASSERT_EQ(info.module_count, BootInfo::max_modules);
    EXPECT_EQ(info.modules[15].base, 0xf00000u);
    EXPECT_EQ(info.modules[15].size, 0x100fu);
}

TEST_F(Multiboot2, ParseDispatchesOnTheProtocol) {
    mem.write(info_pa, with_map().cmdline("via parse").build());
    ASSERT_TRUE(parse(Protocol::multiboot2, mem, info_pa, info).ok());
    EXPECT_STREQ(info.cmdline, "via parse");
    EXPECT_EQ(info.protocol, Protocol::multiboot2);
    // The same bytes are no PVH start_info.
    auto r = parse(Protocol::pvh, mem, info_pa, info);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, BootErrorKind::bad_magic);
}

TEST_F(Multiboot2, ReparsingForgetsEarlierResults) {
    ASSERT_TRUE(parse_at(with_map().cmdline("first").module(1, 2, "a").build()));
    ASSERT_TRUE(parse_at(with_map().build()));
    EXPECT_STREQ(info.cmdline, "");
    EXPECT_EQ(info.module_count, 0u);
}

// -------------------------------------------------------------------------------------- the fixed part

TEST_F(Multiboot2, MisalignedInformationIsRejected) {
    for (std::uint64_t misalign : {1, 4, 7}) {
        ASSERT_FALSE(parse_at(with_map().build(), info_pa + misalign));
        EXPECT_EQ(error.kind, BootErrorKind::bad_alignment);
        EXPECT_EQ(error.location, info_pa + misalign);
    }
}

TEST_F(Multiboot2, InformationOutsideReadableMemoryIsRejected) {
    mem.set_window(0, info_pa);
    ASSERT_FALSE(parse_at(with_map().build()));
    EXPECT_EQ(error.kind, BootErrorKind::unreadable);
    EXPECT_EQ(error.location, info_pa);
    // An address beyond all memory, and one whose 8-byte header would wrap around the address space.
    for (std::uint64_t pa : {std::uint64_t{1} << 40, ~std::uint64_t{7}}) {
        auto r = parse_multiboot2(mem, pa, info);
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().kind, BootErrorKind::unreadable);
    }
}

TEST_F(Multiboot2, TotalSizeTooSmallIsRejected) {
    // Fixed part (8) plus an end tag (8) is the least a valid image holds.
    for (std::uint32_t total : {0u, 8u, 15u}) {
        Bytes image = with_map().build();
        patch_u32(image, 0, total);
        expect_rejected(image, BootErrorKind::bad_size, 0);
        EXPECT_EQ(error.value, total);
    }
}

TEST_F(Multiboot2, SmallestPossibleImageHasNoMemoryInformation) {
    Bytes image = Mb2Builder().build();
    ASSERT_EQ(image.size(), 16u);
    expect_rejected(image, BootErrorKind::no_memory_map, 0);
}

TEST_F(Multiboot2, AbsurdTotalSizeIsRejected) {
    Bytes image = with_map().build();
    patch_u32(image, 0, 0xfffffff8);
    expect_rejected(image, BootErrorKind::bad_size, 0);
}

TEST_F(Multiboot2, TotalSizeBeyondReadableMemoryIsRejected) {
    Bytes image = with_map().build();
    // The header is readable, the rest of what total_size claims is not.
    mem.set_window(0, info_pa + image.size());
    patch_u32(image, 0, static_cast<std::uint32_t>(image.size() + 8));
    expect_rejected(image, BootErrorKind::unreadable, 0);
}

// ---------------------------------------------------------------------------------------------- tags

TEST_F(Multiboot2, TagSizeBelowTheHeaderIsRejected) {
    for (std::int64_t size : {0, 1, 7}) {
        Mb2Builder b;
        b.cmdline("ok").raw_tag(0x99, Bytes(8), size).mmap(qemu_128m);
        Bytes image = b.build();
        expect_rejected(image, BootErrorKind::bad_size, b.offset(1) + 4);
        EXPECT_EQ(error.value, static_cast<std::uint64_t>(size));
    }
}

TEST_F(Multiboot2, TagReachingPastTotalSizeIsRejected) {
    Mb2Builder b;
    b.mmap(qemu_128m).raw_tag(0x99, Bytes(8), 8 + 8 + 8 + 1); // one byte more than is left, end tag included
    Bytes image = b.build();
    expect_rejected(image, BootErrorKind::bad_size, b.offset(1) + 4);
}

TEST_F(Multiboot2, HugeTagSizeIsRejected) {
    Mb2Builder b;
    b.mmap(qemu_128m).raw_tag(mb2_tag::cmdline, Bytes(8), 0xffffffff);
    expect_rejected(b.build(), BootErrorKind::bad_size, b.offset(1) + 4);
}

TEST_F(Multiboot2, MissingEndTagIsRejected) {
    Mb2Builder b = with_map();
    b.cmdline("no end").end_tag(false);
    Bytes image = b.build();
    expect_rejected(image, BootErrorKind::missing_end_tag, image.size());
}

TEST_F(Multiboot2, EndTagCutByTotalSizeIsRejected) {
    Bytes image = with_map().build();
    patch_u32(image, 0, static_cast<std::uint32_t>(image.size() - 4));
    expect_rejected(image, BootErrorKind::missing_end_tag, image.size() - 8);
}

TEST_F(Multiboot2, PaddingOfTheLastTagPastTotalSizeIsRejected) {
    // A 9-byte tag fills total_size exactly; the next tag would start after 7 bytes of padding that are not
    // there.
    Mb2Builder b = with_map();
    b.raw_tag(0x99, Bytes(1)).end_tag(false);
    Bytes image = b.build();
    patch_u32(image, 0, static_cast<std::uint32_t>(b.offset(1) + 9));
    expect_rejected(image, BootErrorKind::missing_end_tag, b.offset(1) + 16);
}

TEST_F(Multiboot2, NoMemoryInformationAtAllIsRejected) {
    Mb2Builder b;
    b.cmdline("x").loader_name("y");
    expect_rejected(b.build(), BootErrorKind::no_memory_map, 0);
}

// -------------------------------------------------------------------------------------- the memory map

TEST_F(Multiboot2, MemoryMapTagWithoutItsHeaderIsRejected) {
    for (std::size_t payload : {0, 4, 7}) {
        Mb2Builder b;
        b.raw_tag(mb2_tag::mmap, Bytes(payload));
        expect_rejected(b.build(), BootErrorKind::bad_size, b.offset(0));
    }
}

TEST_F(Multiboot2, MemoryMapEntrySizeBelow24IsRejected) {
    for (std::uint32_t entry_size : {0u, 8u, 16u}) {
        Mb2Builder b;
        Bytes p;
        append_u32(p, entry_size);
        append_u32(p, 0);
        p.resize(p.size() + 48);
        b.raw_tag(mb2_tag::mmap, p);
        expect_rejected(b.build(), BootErrorKind::bad_size, b.offset(0) + 8);
        EXPECT_EQ(error.value, entry_size);
    }
}

TEST_F(Multiboot2, MemoryMapEntrySizeNotAMultipleOf8IsRejected) {
    for (std::uint32_t entry_size : {25u, 28u, 31u}) {
        Mb2Builder b;
        b.mmap({{0x0, 0x10000, e820::usable}}, entry_size);
        expect_rejected(b.build(), BootErrorKind::bad_size, b.offset(0) + 8);
    }
}

TEST_F(Multiboot2, MemoryMapEndingInAPartialEntryIsRejected) {
    // size says 16 + 24 + 12: the second entry is cut off.
    Mb2Builder b;
    Bytes p;
    append_u32(p, 24);
    append_u32(p, 0);
    append_u64(p, 0x0);
    append_u64(p, 0x100000);
    append_u32(p, e820::usable);
    append_u32(p, 0);
    p.resize(p.size() + 12);
    b.raw_tag(mb2_tag::mmap, p);
    expect_rejected(b.build(), BootErrorKind::bad_size, b.offset(0) + 4);
}

TEST_F(Multiboot2, MemoryMapEntryWrappingPast2To64IsRejected) {
    Mb2Builder b;
    b.mmap({{0x0, 0x1000, e820::usable}, {0xffffffff00000000, 0x100000000, e820::reserved}});
    expect_rejected(b.build(), BootErrorKind::bad_range, b.offset(0) + 16 + 24);
    EXPECT_EQ(error.value, 0xffffffff00000000u);
}

TEST_F(Multiboot2, MoreThan256MemoryMapEntriesAreRejected) {
    std::vector<Mb2MmapEntry> many;
    for (std::uint64_t i = 0; i < 256; ++i) many.push_back({i * 0x2000, 0x1000, e820::usable});
    Mb2Builder fits;
    fits.mmap(many);
    ASSERT_TRUE(parse_at(fits.build())) << error.what;
    EXPECT_EQ(info.memory.count, 256u);

    many.push_back({256 * 0x2000, 0x1000, e820::usable});
    Mb2Builder too_many;
    too_many.mmap(many);
    ASSERT_FALSE(parse_at(too_many.build()));
    EXPECT_EQ(error.kind, BootErrorKind::too_many_entries);
}

TEST_F(Multiboot2, ZeroLengthMemoryMapEntriesAreIgnored) {
    Mb2Builder b;
    b.mmap({{0x5000, 0, e820::reserved}, {0x0, 0x10000, e820::usable}, {0xfffffffffffff000, 0, e820::bad}});
    ASSERT_TRUE(parse_at(b.build()));
    EXPECT_EQ(spans(info.memory), (std::vector<Span>{{0x0, 0x10000, U}}));
}

// ------------------------------------------------------------------------------------------ other tags

TEST_F(Multiboot2, ModuleEndingBeforeItStartsIsRejected) {
    Mb2Builder b = with_map();
    b.module(0x300000, 0x2fffff, "backwards");
    expect_rejected(b.build(), BootErrorKind::bad_range, b.offset(1) + 12);
    EXPECT_EQ(error.value, 0x2fffffu);
}

TEST_F(Multiboot2, SeventeenModulesAreTooMany) {
    Mb2Builder b = with_map();
    for (std::uint32_t i = 0; i <= BootInfo::max_modules; ++i) b.module(0x1000 * i, 0x1000 * i + 1, "m");
    expect_rejected(b.build(), BootErrorKind::too_many_entries, b.offset(1 + BootInfo::max_modules));
}

TEST_F(Multiboot2, ModuleTagTooShortForItsFieldsIsRejected) {
    for (std::size_t payload : {0, 4, 8}) {
        Mb2Builder b = with_map();
        b.raw_tag(mb2_tag::module, Bytes(payload));
        expect_rejected(b.build(), BootErrorKind::bad_size, b.offset(1));
    }
}

TEST_F(Multiboot2, UnterminatedStringsAreRejected) {
    struct Case {
        std::uint32_t type;
        std::size_t string_offset; ///< where the string field starts inside the tag
    };
    for (Case c : {Case{mb2_tag::cmdline, 8}, Case{mb2_tag::loader_name, 8}, Case{mb2_tag::module, 16}}) {
        Bytes p;
        if (c.type == mb2_tag::module) {
            append_u32(p, 0x1000);
            append_u32(p, 0x2000);
        }
        append_str(p, "no terminator", false);
        // Padding after the tag is zero: the parser must not take it for the terminator.
        Mb2Builder b = with_map();
        b.raw_tag(c.type, p);
        expect_rejected(b.build(), BootErrorKind::unterminated, b.offset(1) + c.string_offset);
    }
}

TEST_F(Multiboot2, StringTagWithNoBytesIsUnterminated) {
    Mb2Builder b = with_map();
    b.raw_tag(mb2_tag::cmdline, Bytes(0));
    expect_rejected(b.build(), BootErrorKind::unterminated, b.offset(1) + 8);
}

TEST_F(Multiboot2, BasicMemoryTagTooShortIsRejected) {
    Mb2Builder b;
    b.raw_tag(mb2_tag::basic_meminfo, Bytes(4));
    expect_rejected(b.build(), BootErrorKind::bad_size, b.offset(0));
}

TEST_F(Multiboot2, FramebufferTagTooShortIsRejected) {
    Bytes common;
    Mb2Builder::framebuffer_common(common, 0xfd000000, 4096, 1024, 768, 32, 2);
    common.resize(20); // cut inside the height field
    Mb2Builder b = with_map();
    b.raw_tag(mb2_tag::framebuffer, common);
    expect_rejected(b.build(), BootErrorKind::bad_size, b.offset(1));
}

TEST_F(Multiboot2, RgbFramebufferWithoutColourFieldsIsRejected) {
    Bytes p;
    Mb2Builder::framebuffer_common(p, 0xfd000000, 4096, 1024, 768, 32, 1);
    append_u8(p, 16);
    append_u8(p, 8); // red only
    Mb2Builder b = with_map();
    b.raw_tag(mb2_tag::framebuffer, p);
    expect_rejected(b.build(), BootErrorKind::bad_size, b.offset(1));
}

TEST_F(Multiboot2, AcpiTagShorterThanAnRsdpIsRejected) {
    for (std::uint32_t type : {mb2_tag::acpi_old, mb2_tag::acpi_new}) {
        Mb2Builder b = with_map();
        b.raw_tag(type, Bytes(19));
        expect_rejected(b.build(), BootErrorKind::bad_size, b.offset(1));
    }
}

TEST_F(Multiboot2, ErrorsPrintAsOneClearLine) {
    Mb2Builder b;
    b.raw_tag(0x99, Bytes(8), 3).mmap(qemu_128m);
    ASSERT_FALSE(parse_at(b.build()));
    char buf[256];
    kernel::BufferSink sink(buf, sizeof buf);
    put(sink, error);
    EXPECT_EQ(str(sink.view()),
              "boot information rejected: impossible size: multiboot2 tag size at 0x1000c (value 0x3)");
}

} // namespace
