// The ELF loader: good images (hand-built and the real ring-3 programs) and every way an image can be wrong.
// Expected values come from the ELF-64 format (testing/elf_builder.hpp writes it independently), from the
// Janus ABI (user_end, rights) and from user/lib/user.ld for the real programs.
#include <cstring>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <iterator>
#include <string>
#include <vector>

#include "kernel/abi/abi.hpp"
#include "kernel/loader/elf.hpp"
#include "kernel/loader/testing/elf_builder.hpp"

using namespace kernel::loader;
using kernel::loader::testing::ElfBuilder;
using kernel::loader::testing::good_image;
using kernel::loader::testing::ProgramHeader;
namespace layout = kernel::loader::testing::layout;
namespace elft = kernel::loader::testing;
namespace rights = janus::abi::rights;

namespace {

struct Parsed {
    bool ok;
    ElfImage image;
    ElfError error;
};

/// Parse from an exactly-sized heap copy, so ASan sees any read past the end.
Parsed parse(const std::vector<std::byte>& bytes) {
    std::unique_ptr<std::byte[]> exact(new std::byte[bytes.size() ? bytes.size() : 1]);
    if (!bytes.empty()) std::memcpy(exact.get(), bytes.data(), bytes.size());
    Parsed p{};
    auto r = parse_elf(exact.get(), bytes.size(), p.image);
    p.ok = r.ok();
    if (!r) p.error = r.error();
    return p;
}

std::string message(const ElfError& e) {
    char buffer[256];
    kernel::BufferSink sink(buffer, sizeof buffer);
    put(sink, e);
    return std::string(sink.view().data(), sink.view().size());
}

// ---- good images ------------------------------------------------------------------------------------------

TEST(Elf, GoodImageYieldsItsSegmentsAndEntry) {
    Parsed p = parse(good_image().build());
    ASSERT_TRUE(p.ok) << message(p.error);
    EXPECT_EQ(p.image.entry, 0x400100u);
    ASSERT_EQ(p.image.count, 2u);
    const Segment& text = p.image.segments[0];
    EXPECT_EQ(text.vaddr, 0x400100u);
    EXPECT_EQ(text.memsz, 0x100u);
    EXPECT_EQ(text.file_offset, 0x100u);
    EXPECT_EQ(text.file_size, 0x100u);
    EXPECT_EQ(text.rights, rights::read | rights::exec);
    EXPECT_EQ(text.page_begin(), 0x400000u);
    EXPECT_EQ(text.page_end(), 0x401000u);
    const Segment& data = p.image.segments[1];
    EXPECT_EQ(data.vaddr, 0x401200u);
    EXPECT_EQ(data.memsz, 0x2000u);
    EXPECT_EQ(data.file_offset, 0x200u);
    EXPECT_EQ(data.file_size, 0x80u);
    EXPECT_EQ(data.rights, rights::read | rights::write);
    EXPECT_EQ(data.page_begin(), 0x401000u);
    EXPECT_EQ(data.page_end(), 0x404000u);
}

TEST(Elf, IgnoresHeadersThatNeedNoLoading) {
    ElfBuilder b = good_image();
    ProgramHeader note, phdr, null, gnu_stack, proc;
    note.type = 4;               // PT_NOTE
    phdr.type = 6;               // PT_PHDR
    null.type = 0;               // PT_NULL
    gnu_stack.type = 0x6474e551; // PT_GNU_STACK (OS specific)
    gnu_stack.flags = 7;         // even RWX: it is a hint the kernel does not use
    proc.type = 0x70000001;      // processor specific
    b.headers.insert(b.headers.begin(), {note, phdr, null});
    b.headers.push_back(gnu_stack);
    b.headers.push_back(proc);
    b.contents = {{0x200 + 0x100, elft::text_bytes()}, {0x300 + 0x100, elft::data_bytes()}};
    for (auto& h : b.headers)
        if (h.type == 1) h.offset += 0x200, h.vaddr += 0x200;
    b.entry += 0x200;
    Parsed p = parse(b.build());
    ASSERT_TRUE(p.ok) << message(p.error);
    EXPECT_EQ(p.image.count, 2u);
    EXPECT_EQ(p.image.segments[0].vaddr, 0x400300u);
}

TEST(Elf, ExecuteOnlyAndReadOnlySegmentsKeepTheirRights) {
    ElfBuilder b = good_image();
    b.headers[0].flags = 1; // X only
    b.headers[1].flags = 4; // R only
    Parsed p = parse(b.build());
    ASSERT_TRUE(p.ok) << message(p.error);
    EXPECT_EQ(p.image.segments[0].rights, rights::exec);
    EXPECT_EQ(p.image.segments[1].rights, rights::read);
}

TEST(Elf, EntryAnywhereInTheExecutableFileBytes) {
    for (std::uint64_t entry : {0x400100u, 0x400180u, 0x4001ffu}) {
        ElfBuilder b = good_image();
        b.entry = entry;
        EXPECT_TRUE(parse(b.build()).ok) << std::hex << entry;
    }
}

TEST(Elf, SegmentsMayEndExactlyAtUserEndAndNextToEachOther) {
    ElfBuilder b = good_image();
    // Data segment ending at user_end; text directly on the page below the data's first page.
    b.headers[1].vaddr = janus::abi::user_end - 0x2000 + 0x200;
    b.headers[1].memsz = 0x2000 - 0x200;
    b.headers[0].vaddr = janus::abi::user_end - 0x3000 + 0x100;
    b.entry = b.headers[0].vaddr;
    Parsed p = parse(b.build());
    ASSERT_TRUE(p.ok) << message(p.error);
    EXPECT_EQ(p.image.segments[1].page_end(), janus::abi::user_end);
}

TEST(Elf, AlignmentZeroAndOneMeanNoConstraintBeyondThePage) {
    for (std::uint64_t align : {0u, 1u, 0x1000u, 0x100u}) {
        ElfBuilder b = good_image();
        b.headers[0].align = align;
        b.headers[1].align = align;
        EXPECT_TRUE(parse(b.build()).ok) << align;
    }
}

// ---- malformed images: one field wrong at a time ---------------------------------------------------------

struct Bad {
    const char* name;
    std::function<void(ElfBuilder&)> mutate;
    ElfErrorKind kind;
    const char* field;
    /// Expected ElfError::offset, computed from the builder after mutation.
    std::function<std::uint64_t(const ElfBuilder&)> offset;
    std::uint32_t header = ElfError::no_header;
};

std::function<std::uint64_t(const ElfBuilder&)> at(std::size_t off) {
    return [off](const ElfBuilder&) { return off; };
}
std::function<std::uint64_t(const ElfBuilder&)> in_header(std::size_t i, std::size_t field) {
    return [i, field](const ElfBuilder& b) { return b.header_offset(i) + field; };
}

void set_ident(ElfBuilder& b, std::size_t i, std::uint8_t v) {
    b.ident[i] = v;
}

/// Each case changes one thing in good_image() (text is header 0, data header 1; the image is 0x280 bytes).
const std::vector<Bad>& bad_cases() {
    static const std::vector<Bad> cases = {
        {"magic0", [](ElfBuilder& b) { set_ident(b, 0, 0x7e); }, ElfErrorKind::bad_ident, "e_ident magic",
         at(0)},
        {"magic3", [](ElfBuilder& b) { set_ident(b, 3, 'f'); }, ElfErrorKind::bad_ident, "e_ident magic",
         at(3)},
        {"class32", [](ElfBuilder& b) { set_ident(b, 4, 1); }, ElfErrorKind::bad_ident, "e_ident class",
         at(4)},
        {"bigendian", [](ElfBuilder& b) { set_ident(b, 5, 2); }, ElfErrorKind::bad_ident,
         "e_ident data encoding", at(5)},
        {"identversion", [](ElfBuilder& b) { set_ident(b, 6, 0); }, ElfErrorKind::bad_ident,
         "e_ident version", at(6)},
        {"osabi_gnu", [](ElfBuilder& b) { set_ident(b, 7, 3); }, ElfErrorKind::bad_ident, "e_ident OS ABI",
         at(7)},
        {"abiversion", [](ElfBuilder& b) { set_ident(b, 8, 1); }, ElfErrorKind::bad_ident,
         "e_ident ABI version", at(8)},
        {"type_rel", [](ElfBuilder& b) { b.type = 1; }, ElfErrorKind::bad_header, "e_type",
         at(layout::e_type)},
        {"type_dyn_pie", [](ElfBuilder& b) { b.type = 3; }, ElfErrorKind::bad_header, "e_type",
         at(layout::e_type)},
        {"machine_386", [](ElfBuilder& b) { b.machine = 3; }, ElfErrorKind::bad_header, "e_machine",
         at(layout::e_machine)},
        {"machine_aarch64", [](ElfBuilder& b) { b.machine = 183; }, ElfErrorKind::bad_header, "e_machine",
         at(layout::e_machine)},
        {"version0", [](ElfBuilder& b) { b.version = 0; }, ElfErrorKind::bad_header, "e_version",
         at(layout::e_version)},
        {"ehsize32bit", [](ElfBuilder& b) { b.ehsize = 52; }, ElfErrorKind::bad_header, "e_ehsize",
         at(layout::e_ehsize)},
        {"phentsize32bit", [](ElfBuilder& b) { b.phentsize = 32; }, ElfErrorKind::bad_header, "e_phentsize",
         at(layout::e_phentsize)},
        {"phentsize_larger", [](ElfBuilder& b) { b.phentsize = 64; }, ElfErrorKind::bad_header, "e_phentsize",
         at(layout::e_phentsize)},
        {"phnum0", [](ElfBuilder& b) { b.phnum = 0; }, ElfErrorKind::bad_program_headers, "e_phnum",
         at(layout::e_phnum)},
        {"phnum_pn_xnum", [](ElfBuilder& b) { b.phnum = 0xffff; }, ElfErrorKind::bad_program_headers,
         "e_phnum", at(layout::e_phnum)},
        {"phnum_past_end", [](ElfBuilder& b) { b.phnum = 40; }, ElfErrorKind::bad_program_headers, "e_phoff",
         at(layout::e_phoff)},
        {"phoff_past_end", [](ElfBuilder& b) { b.phoff_value = 0x10000; }, ElfErrorKind::bad_program_headers,
         "e_phoff", at(layout::e_phoff)},
        {"phoff_wraps", [](ElfBuilder& b) { b.phoff_value = ~std::uint64_t{0} - 8; },
         ElfErrorKind::bad_program_headers, "e_phoff", at(layout::e_phoff)},
        {"phoff_table_crosses_end", [](ElfBuilder& b) { b.phoff_value = 0x280 - 56 + 8; },
         ElfErrorKind::bad_program_headers, "e_phoff", at(layout::e_phoff)},
        {"dynamic", [](ElfBuilder& b) { b.headers[1].type = 2; }, ElfErrorKind::unsupported_segment, "p_type",
         in_header(1, layout::p_type), 1},
        {"interp", [](ElfBuilder& b) { b.headers[0].type = 3; }, ElfErrorKind::unsupported_segment, "p_type",
         in_header(0, layout::p_type), 0},
        {"shlib", [](ElfBuilder& b) { b.headers[1].type = 5; }, ElfErrorKind::unsupported_segment, "p_type",
         in_header(1, layout::p_type), 1},
        {"tls", [](ElfBuilder& b) { b.headers[1].type = 7; }, ElfErrorKind::unsupported_segment, "p_type",
         in_header(1, layout::p_type), 1},
        {"reserved_type", [](ElfBuilder& b) { b.headers[1].type = 8; }, ElfErrorKind::unsupported_segment,
         "p_type", in_header(1, layout::p_type), 1},
        {"memsz0", [](ElfBuilder& b) { b.headers[1].memsz = 0, b.headers[1].filesz = 0; },
         ElfErrorKind::bad_segment_size, "p_memsz", in_header(1, layout::p_memsz), 1},
        {"filesz_over_memsz", [](ElfBuilder& b) { b.headers[1].filesz = 0x2001; },
         ElfErrorKind::bad_segment_size, "p_filesz", in_header(1, layout::p_filesz), 1},
        {"offset_past_end", [](ElfBuilder& b) { b.headers[1].offset = 0x1200, b.headers[1].filesz = 0; },
         ElfErrorKind::outside_image, "p_offset", in_header(1, layout::p_offset), 1},
        {"bytes_past_end", [](ElfBuilder& b) { b.headers[1].filesz = 0x81; }, ElfErrorKind::outside_image,
         "p_filesz", in_header(1, layout::p_filesz), 1},
        {"bytes_wrap", [](ElfBuilder& b) { b.headers[1].filesz = b.headers[1].memsz = ~std::uint64_t{0}; },
         ElfErrorKind::outside_image, "p_filesz", in_header(1, layout::p_filesz), 1},
        {"align_not_power_of_two", [](ElfBuilder& b) { b.headers[0].align = 0x3000; },
         ElfErrorKind::misaligned, "p_align", in_header(0, layout::p_align), 0},
        // 0x401200 and 0x200 agree modulo the page but not modulo 2 MiB.
        {"not_congruent_with_align", [](ElfBuilder& b) { b.headers[1].align = 0x200000; },
         ElfErrorKind::misaligned, "p_vaddr", in_header(1, layout::p_vaddr), 1},
        {"not_page_congruent",
         [](ElfBuilder& b) { b.headers[0].align = 0, b.headers[0].vaddr += 8, b.entry += 8; },
         ElfErrorKind::misaligned, "p_vaddr", in_header(0, layout::p_vaddr), 0},
        {"page_zero", [](ElfBuilder& b) { b.headers[0].vaddr = 0x100, b.entry = 0x100; },
         ElfErrorKind::outside_user_space, "p_vaddr", in_header(0, layout::p_vaddr), 0},
        {"at_user_end", [](ElfBuilder& b) { b.headers[1].vaddr = janus::abi::user_end + 0x200; },
         ElfErrorKind::outside_user_space, "p_vaddr", in_header(1, layout::p_vaddr), 1},
        {"kernel_half", [](ElfBuilder& b) { b.headers[1].vaddr = 0xffffffff80000200; },
         ElfErrorKind::outside_user_space, "p_vaddr", in_header(1, layout::p_vaddr), 1},
        {"crosses_user_end",
         [](ElfBuilder& b) { b.headers[1].vaddr = janus::abi::user_end - 0x1000 + 0x200; },
         ElfErrorKind::outside_user_space, "p_memsz", in_header(1, layout::p_memsz), 1},
        {"memsz_wraps", [](ElfBuilder& b) { b.headers[1].memsz = ~std::uint64_t{0} - 0x100; },
         ElfErrorKind::outside_user_space, "p_memsz", in_header(1, layout::p_memsz), 1},
        {"unknown_flag", [](ElfBuilder& b) { b.headers[1].flags = 6 | 8; }, ElfErrorKind::bad_flags,
         "p_flags", in_header(1, layout::p_flags), 1},
        {"os_flag", [](ElfBuilder& b) { b.headers[1].flags = 6 | 0x00100000; }, ElfErrorKind::bad_flags,
         "p_flags", in_header(1, layout::p_flags), 1},
        {"rwx", [](ElfBuilder& b) { b.headers[0].flags = 7; }, ElfErrorKind::writable_and_executable,
         "p_flags", in_header(0, layout::p_flags), 0},
        {"wx", [](ElfBuilder& b) { b.headers[1].flags = 3; }, ElfErrorKind::writable_and_executable,
         "p_flags", in_header(1, layout::p_flags), 1},
        {"same_range", [](ElfBuilder& b) { b.headers[1] = b.headers[0]; }, ElfErrorKind::overlapping_segments,
         "p_vaddr", in_header(1, layout::p_vaddr), 1},
        {"shared_page_only",
         [](ElfBuilder& b) {
             // Data starts on the text's page, after the text's bytes: no byte overlaps, the page does.
             b.headers[1].vaddr = 0x400200, b.headers[1].memsz = 0x80;
         },
         ElfErrorKind::overlapping_segments, "p_vaddr", in_header(1, layout::p_vaddr), 1},
        {"contains_earlier",
         [](ElfBuilder& b) { b.headers[1].vaddr = 0x3ff200, b.headers[1].memsz = 0x10000; },
         ElfErrorKind::overlapping_segments, "p_vaddr", in_header(1, layout::p_vaddr), 1},
        {"no_load", [](ElfBuilder& b) { b.headers[0].type = 4, b.headers[1].type = 0; },
         ElfErrorKind::no_segments, "e_phnum", at(layout::e_phnum)},
        {"entry_outside", [](ElfBuilder& b) { b.entry = 0x500000; }, ElfErrorKind::bad_entry, "e_entry",
         at(layout::e_entry)},
        {"entry_before_text", [](ElfBuilder& b) { b.entry = 0x4000ff; }, ElfErrorKind::bad_entry, "e_entry",
         at(layout::e_entry)},
        {"entry_just_past_text", [](ElfBuilder& b) { b.entry = 0x400200; }, ElfErrorKind::bad_entry,
         "e_entry", at(layout::e_entry)},
        {"entry_in_data", [](ElfBuilder& b) { b.entry = 0x401200; }, ElfErrorKind::bad_entry, "e_entry",
         at(layout::e_entry)},
        {"entry_in_zero_fill", [](ElfBuilder& b) { b.headers[0].filesz = 0x80, b.entry = 0x400190; },
         ElfErrorKind::bad_entry, "e_entry", at(layout::e_entry)},
        {"entry_zero", [](ElfBuilder& b) { b.entry = 0; }, ElfErrorKind::bad_entry, "e_entry",
         at(layout::e_entry)},
    };
    return cases;
}

class Malformed : public ::testing::TestWithParam<std::size_t> {};

TEST_P(Malformed, IsRefusedWithTheFieldAndPlace) {
    const Bad& c = bad_cases()[GetParam()];
    ElfBuilder b = good_image();
    c.mutate(b);
    Parsed p = parse(b.build());
    ASSERT_FALSE(p.ok) << c.name;
    EXPECT_EQ(p.error.kind, c.kind) << c.name << ": " << message(p.error);
    EXPECT_STREQ(p.error.field, c.field) << c.name << ": " << message(p.error);
    EXPECT_EQ(p.error.offset, c.offset(b)) << c.name << ": " << message(p.error);
    EXPECT_EQ(p.error.header, c.header) << c.name << ": " << message(p.error);
}

INSTANTIATE_TEST_SUITE_P(Elf, Malformed, ::testing::Range<std::size_t>(0, bad_cases().size()),
                         [](const ::testing::TestParamInfo<std::size_t>& info) {
                             return std::string(bad_cases()[info.param].name);
                         });

TEST(Elf, EveryMalformedCaseIsValidWithoutItsMutation) {
    // The cases above would prove nothing if the unmutated image were already refused.
    ASSERT_TRUE(parse(good_image().build()).ok);
}

TEST(Elf, TruncatedImages) {
    std::vector<std::byte> full = good_image().build();
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{4}, std::size_t{63}}) {
        Parsed p = parse(std::vector<std::byte>(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n)));
        ASSERT_FALSE(p.ok);
        EXPECT_EQ(p.error.kind, ElfErrorKind::truncated) << n;
        EXPECT_EQ(p.error.value, n);
    }
    // Every cut after the ELF header fails cleanly too (program headers or segment bytes missing).
    for (std::size_t n = 64; n < full.size(); ++n) {
        Parsed p = parse(std::vector<std::byte>(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n)));
        EXPECT_FALSE(p.ok) << n;
    }
    EXPECT_FALSE(parse_elf(nullptr, 100, *std::make_unique<ElfImage>()).ok());
}

TEST(Elf, TooManyLoadableSegments) {
    constexpr std::uint64_t documented = 16; // docs/user.md: 1..16 PT_LOAD segments
    ElfBuilder b = good_image();
    b.headers.clear();
    b.contents.clear();
    for (std::uint64_t i = 0; i <= documented; ++i) {
        ProgramHeader h;
        h.flags = 4;
        h.offset = 0x1000;
        h.vaddr = 0x400000 + 0x1000 * i;
        h.filesz = 0;
        h.memsz = 0x10;
        b.headers.push_back(h);
    }
    b.headers[0].flags = 5;
    b.headers[0].filesz = 0x10;
    b.entry = 0x400000;
    b.size = 0x1010;
    Parsed p = parse(b.build());
    ASSERT_FALSE(p.ok);
    EXPECT_EQ(p.error.kind, ElfErrorKind::too_many_segments) << message(p.error);
    EXPECT_EQ(p.error.header, documented) << "the 17th is one too many";
    b.headers.pop_back();
    EXPECT_TRUE(parse(b.build()).ok) << "exactly 16 are fine";
}

TEST(Elf, ErrorMessageNamesKindFieldHeaderOffsetAndValue) {
    ElfBuilder b = good_image();
    b.headers[1].flags = 3;
    Parsed p = parse(b.build());
    ASSERT_FALSE(p.ok);
    // Program header 1 starts at 64 + 56 = 0x78; p_flags is at +4.
    EXPECT_EQ(message(p.error),
              "segment both writable and executable: p_flags of program header 1 at offset 0x7c (value 0x3)");
    b = good_image();
    b.machine = 40;
    EXPECT_EQ(message(parse(b.build()).error),
              "not an x86-64 static executable: e_machine at offset 0x12 (value 0x28)");
}

// ---- page contents ----------------------------------------------------------------------------------------

std::vector<std::byte> page_of(const std::vector<std::byte>& image, const Segment& s, std::uint64_t va,
                               bool* ok = nullptr) {
    std::vector<std::byte> page(page_size, std::byte{0x5a});
    bool r = fill_page(image.data(), image.size(), s, va, page.data());
    if (ok) *ok = r;
    return page;
}

TEST(ElfPages, TextPageHasZerosAroundTheSegmentBytes) {
    std::vector<std::byte> image = good_image().build();
    Parsed p = parse(image);
    ASSERT_TRUE(p.ok);
    bool ok = false;
    auto page = page_of(image, p.image.segments[0], 0x400000, &ok);
    ASSERT_TRUE(ok);
    auto text = elft::text_bytes();
    for (std::size_t i = 0; i < page_size; ++i) {
        std::uint8_t expected = (i >= 0x100 && i < 0x200) ? text[i - 0x100] : 0;
        ASSERT_EQ(static_cast<std::uint8_t>(page[i]), expected) << "offset " << i;
    }
}

TEST(ElfPages, DataPagesHaveFileBytesThenZeroFill) {
    std::vector<std::byte> image = good_image().build();
    Parsed p = parse(image);
    ASSERT_TRUE(p.ok);
    const Segment& data = p.image.segments[1];
    auto first = page_of(image, data, 0x401000);
    auto bytes = elft::data_bytes();
    for (std::size_t i = 0; i < page_size; ++i) {
        std::uint8_t expected = (i >= 0x200 && i < 0x280) ? bytes[i - 0x200] : 0;
        ASSERT_EQ(static_cast<std::uint8_t>(first[i]), expected) << "offset " << i;
    }
    for (std::uint64_t va : {0x402000u, 0x403000u}) {
        bool ok = false;
        auto page = page_of(image, data, va, &ok);
        EXPECT_TRUE(ok);
        for (std::size_t i = 0; i < page_size; ++i) ASSERT_EQ(page[i], std::byte{0}) << va << "+" << i;
    }
}

TEST(ElfPages, RefusesPagesOutsideTheSegmentAndForeignSegments) {
    std::vector<std::byte> image = good_image().build();
    Parsed p = parse(image);
    ASSERT_TRUE(p.ok);
    const Segment& text = p.image.segments[0];
    for (std::uint64_t va : {0x3ff000u, 0x401000u, 0x400800u}) {
        bool ok = true;
        auto page = page_of(image, text, va, &ok);
        EXPECT_FALSE(ok) << std::hex << va;
        EXPECT_EQ(page, std::vector<std::byte>(page_size, std::byte{0})) << "a refused page is zeroed";
    }
    Segment forged = text;
    forged.file_size = image.size(); // more file bytes than the image has past the offset
    bool ok = true;
    page_of(image, forged, 0x400000, &ok);
    EXPECT_FALSE(ok);
    forged = text;
    forged.vaddr = ~std::uint64_t{0} - 0x10; // would wrap
    page_of(image, forged, forged.vaddr & ~(page_size - 1), &ok);
    EXPECT_FALSE(ok);
}

// ---- the real ring-3 programs

std::vector<std::byte> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::byte> bytes(chars.size());
    std::memcpy(bytes.data(), chars.data(), chars.size());
    return bytes;
}

TEST(ElfUserPrograms, RootTaskLoads) {
    std::vector<std::byte> image = read_file(JANUS_USER_ELF_DIR "/roottask.elf");
    ASSERT_GT(image.size(), 4096u) << "build the user programs first (target user_roottask)";
    Parsed p = parse(image);
    ASSERT_TRUE(p.ok) << message(p.error);
    // user/lib/user.ld: _start first in the text at 0x400000; text R+X, rodata R, data+bss R+W.
    EXPECT_EQ(p.image.entry, 0x400000u);
    ASSERT_EQ(p.image.count, 3u);
    EXPECT_EQ(p.image.segments[0].vaddr, 0x400000u);
    EXPECT_EQ(p.image.segments[0].rights, rights::read | rights::exec);
    EXPECT_EQ(p.image.segments[1].rights, rights::read);
    EXPECT_EQ(p.image.segments[2].rights, rights::read | rights::write);
    EXPECT_GT(p.image.segments[2].memsz, p.image.segments[2].file_size)
        << "bss (with the 64 KiB start stack)";
    for (const Segment& s : p.image) EXPECT_EQ(s.vaddr % page_size, 0u) << "user.ld starts segments on pages";

    // _start's first instruction is `lea disp32(%rip), %rsp`: REX.W (48), LEA (8d), ModRM 00 100 101 (25).
    auto page = page_of(image, p.image.segments[0], 0x400000);
    EXPECT_EQ(static_cast<std::uint8_t>(page[0]), 0x48);
    EXPECT_EQ(static_cast<std::uint8_t>(page[1]), 0x8d);
    EXPECT_EQ(static_cast<std::uint8_t>(page[2]), 0x25);
}

TEST(ElfUserPrograms, EveryPageOfTheRootTaskIsFileBytesOrZero) {
    std::vector<std::byte> image = read_file(JANUS_USER_ELF_DIR "/roottask.elf");
    Parsed p = parse(image);
    ASSERT_TRUE(p.ok) << message(p.error);
    for (const Segment& s : p.image) {
        for (std::uint64_t va = s.page_begin(); va < s.page_end(); va += page_size) {
            auto page = page_of(image, s, va);
            for (std::uint64_t i = 0; i < page_size; ++i) {
                std::uint64_t a = va + i;
                std::byte expected{0};
                if (a >= s.vaddr && a - s.vaddr < s.file_size)
                    expected = image[s.file_offset + (a - s.vaddr)];
                ASSERT_EQ(page[i], expected) << std::hex << a;
            }
        }
    }
}

} // namespace
