// Properties of the ELF loader (ctest elf.ElfProp.*, label prop, run under ASan+UBSan).
//
//  * Random valid executables (1..7 segments with random rights, sizes, gaps and in-page offsets, plus
//    headers that need no loading) load exactly as planned, and fill_page reproduces the planned bytes.
//  * Random mutations of those images and of the real root task (bytes, header fields set to edge values,
//    truncation, extension) never make the loader read outside the image (every parse runs on an exact-size
//    heap copy, so ASan sees any over-read) and either load an image that satisfies every acceptance rule,
//    re-checked independently (testing/elf_check.hpp), or fail with a well-formed ElfError.
//
// A failure prints RapidCheck's RC_PARAMS="reproduce=..." line, which replays it exactly; a sanitizer stop
// prints the command that replays it (replay_on_crash.hpp).
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "kernel/abi/abi.hpp"
#include "kernel/loader/elf.hpp"
#include "kernel/loader/testing/elf_builder.hpp"
#include "kernel/loader/testing/elf_check.hpp"
#include "proptest/replay_on_crash.hpp"

using namespace kernel::loader;
namespace elft = kernel::loader::testing;
namespace layout = kernel::loader::testing::layout;
namespace rights = janus::abi::rights;

namespace {

constexpr std::uint64_t page = 4096;

struct PlannedSegment {
    std::uint64_t vaddr, memsz, offset, filesz;
    std::uint32_t flags;
};

struct Plan {
    elft::ElfBuilder builder;
    std::vector<PlannedSegment> segments;
};

std::uint8_t byte_at(std::uint64_t file_offset) {
    return static_cast<std::uint8_t>(file_offset * 7 + 3);
}

/// A random valid image; the first segment is executable and holds the entry point.
Plan valid_plan() {
    Plan plan;
    elft::ElfBuilder& b = plan.builder;
    const int n = *rc::gen::inRange(1, 8);
    const int extra = *rc::gen::inRange(0, 4); // PT_NOTE / PT_NULL / PT_GNU_STACK headers mixed in
    const std::size_t table_end = layout::ehdr_size + (n + extra) * layout::phdr_size;
    std::uint64_t file_cursor = (table_end + page - 1) & ~(page - 1);
    std::uint64_t va_cursor = 0x400000 + page * *rc::gen::inRange<std::uint64_t>(0, 16);
    for (int i = 0; i < n; ++i) {
        PlannedSegment s{};
        std::uint64_t in_page = *rc::gen::inRange<std::uint64_t>(0, page);
        s.vaddr = va_cursor + in_page;
        s.memsz = *rc::gen::inRange<std::uint64_t>(1, 3 * page);
        s.filesz = *rc::gen::inRange<std::uint64_t>(0, std::min<std::uint64_t>(s.memsz, 600) + 1);
        static const std::uint32_t flag_choices[] = {4, 5, 1, 6, 2, 0};
        s.flags = i == 0 ? 5
                         : *rc::gen::elementOf(
                               std::vector<std::uint32_t>(std::begin(flag_choices), std::end(flag_choices)));
        if (i == 0 && s.filesz == 0) s.filesz = 1;
        s.offset = file_cursor + in_page;
        file_cursor = (s.offset + s.filesz + page - 1) & ~(page - 1);
        va_cursor =
            ((s.vaddr + s.memsz + page - 1) & ~(page - 1)) + page * *rc::gen::inRange<std::uint64_t>(0, 4);
        plan.segments.push_back(s);

        elft::ProgramHeader h;
        h.type = 1;
        h.flags = s.flags;
        h.offset = s.offset;
        h.vaddr = h.paddr = s.vaddr;
        h.filesz = s.filesz;
        h.memsz = s.memsz;
        h.align = *rc::gen::elementOf(std::vector<std::uint64_t>{0, 1, page});
        b.headers.push_back(h);
        std::vector<std::uint8_t> bytes(s.filesz);
        for (std::uint64_t k = 0; k < s.filesz; ++k) bytes[k] = byte_at(s.offset + k);
        b.contents.push_back({s.offset, bytes});
    }
    for (int i = 0; i < extra; ++i) {
        elft::ProgramHeader h;
        h.type = *rc::gen::elementOf(std::vector<std::uint32_t>{0, 4, 0x6474e551});
        auto pos = *rc::gen::inRange<std::size_t>(0, b.headers.size() + 1);
        b.headers.insert(b.headers.begin() + static_cast<std::ptrdiff_t>(pos), h);
    }
    b.entry = plan.segments[0].vaddr + *rc::gen::inRange<std::uint64_t>(0, plan.segments[0].filesz);
    return plan;
}

/// Parse from an exact-size heap copy (ASan catches any read past its end).
struct Outcome {
    std::unique_ptr<std::byte[]> bytes;
    std::size_t size;
    bool ok;
    ElfImage image;
    ElfError error;
};

Outcome parse(const std::vector<std::byte>& image) {
    Outcome o{std::unique_ptr<std::byte[]>(new std::byte[image.empty() ? 1 : image.size()]),
              image.size(),
              false,
              {},
              {}};
    if (!image.empty()) std::memcpy(o.bytes.get(), image.data(), image.size());
    auto r = parse_elf(o.bytes.get(), o.size, o.image);
    o.ok = r.ok();
    if (!r) o.error = r.error();
    return o;
}

std::string describe(const ElfError& e) {
    char buffer[256];
    kernel::BufferSink sink(buffer, sizeof buffer);
    put(sink, e);
    return std::string(sink.view().data(), sink.view().size());
}

/// Apply 1..4 random corruptions: single bytes, header fields set to edge values, truncation, extension.
void mutate(std::vector<std::byte>& img) {
    const int count = *rc::gen::inRange(1, 5);
    // Values that sit on some check's edge: segment types, flag sets, addresses and sizes.
    static const std::vector<std::uint64_t> types = {0, 1, 2, 3,          4,          5,
                                                     6, 7, 8, 0x6474e551, 0x70000000, 0xffffffff};
    static const std::vector<std::uint64_t> flags = {0, 1, 2, 3, 4, 5, 6, 7, 8, 0x00100000, 0xffffffff};
    static const std::vector<std::uint64_t> edges = {0,
                                                     1,
                                                     0xfff,
                                                     0x1000,
                                                     0x3fffff,
                                                     0x400000,
                                                     janus::abi::user_end - 1,
                                                     janus::abi::user_end,
                                                     std::uint64_t{1} << 63,
                                                     ~std::uint64_t{0},
                                                     ~std::uint64_t{0} - 0xfff};
    for (int i = 0; i < count; ++i) {
        switch (*rc::gen::inRange(0, 4)) {
        case 0: { // one byte anywhere
            if (img.empty()) break;
            auto at = *rc::gen::inRange<std::size_t>(0, img.size());
            img[at] = std::byte{*rc::gen::arbitrary<std::uint8_t>()};
            break;
        }
        case 1: { // a header or program-header field to a value that sits on some check's edge
            std::uint64_t phoff = elft::read_le(img.data(), img.size(), layout::e_phoff, 8);
            std::uint64_t phnum = elft::read_le(img.data(), img.size(), layout::e_phnum, 2);
            std::uint64_t at = 0;
            std::size_t width = 8;
            std::vector<std::uint64_t> values;
            if (phnum == 0 || *rc::gen::inRange(0, 4) == 0) {
                static const std::vector<std::size_t> fields = {
                    layout::e_entry, layout::e_phoff, layout::e_phnum, layout::e_phentsize, layout::e_type};
                at = *rc::gen::elementOf(fields);
                width = at == layout::e_entry || at == layout::e_phoff ? 8 : 2;
                values = edges;
            } else {
                static const std::vector<std::size_t> fields = {
                    layout::p_type,   layout::p_flags, layout::p_offset, layout::p_vaddr,
                    layout::p_filesz, layout::p_memsz, layout::p_align};
                std::size_t f = *rc::gen::elementOf(fields);
                at = phoff +
                     layout::phdr_size *
                         *rc::gen::inRange<std::uint64_t>(0, std::min<std::uint64_t>(phnum, 16)) +
                     f;
                if (f == layout::p_type)
                    width = 4, values = types;
                else if (f == layout::p_flags)
                    width = 4, values = flags;
                else {
                    // Near the current value (off by one, by a page) or on an edge.
                    std::uint64_t cur = elft::read_le(img.data(), img.size(), at, 8);
                    values = edges;
                    for (std::uint64_t d : {std::uint64_t{1}, page, std::uint64_t{0x200000}})
                        values.push_back(cur + d), values.push_back(cur - d);
                }
            }
            values.push_back(img.size());
            values.push_back(img.size() + 1);
            values.push_back(img.size() - 1);
            elft::ElfBuilder::put(img, at, *rc::gen::elementOf(values),
                                  width); // skips bytes outside the image
            break;
        }
        case 2: // truncate
            img.resize(*rc::gen::inRange<std::size_t>(0, img.size() + 1));
            break;
        default: // extend
            img.resize(img.size() + *rc::gen::inRange<std::size_t>(1, 64), std::byte{0});
            break;
        }
    }
}

/// Loaded images must satisfy every acceptance rule; refusals must be well formed. Either way fill_page stays
/// inside the image for the first and last page of every segment.
void judge(const Outcome& o) {
    RC_TAG(o.ok ? std::string("loaded")
                : std::string(to_string(o.error.kind).data(), to_string(o.error.kind).size()));
    if (o.ok) {
        std::string violation = elft::check_accepted(o.bytes.get(), o.size, o.image);
        if (!violation.empty()) RC_FAIL(violation);
        std::vector<std::byte> pagebuf(page);
        for (const Segment& s : o.image) {
            RC_ASSERT(fill_page(o.bytes.get(), o.size, s, s.page_begin(), pagebuf.data()));
            RC_ASSERT(fill_page(o.bytes.get(), o.size, s, s.page_end() - page, pagebuf.data()));
        }
    } else {
        std::string violation = elft::check_refused(o.size, o.error);
        if (!violation.empty()) RC_FAIL(violation + ": " + describe(o.error));
    }
}

std::vector<std::byte> root_task() {
    std::ifstream in(JANUS_USER_ELF_DIR "/roottask.elf", std::ios::binary);
    std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::byte> bytes(chars.size());
    std::memcpy(bytes.data(), chars.data(), chars.size());
    return bytes;
}

} // namespace

RC_GTEST_PROP(ElfProp, ValidImagesLoadAsPlanned, ()) {
    Plan plan = valid_plan();
    std::vector<std::byte> image = plan.builder.build();
    Outcome o = parse(image);
    if (!o.ok) RC_FAIL("a valid image was refused: " + describe(o.error));
    RC_ASSERT(o.image.entry == plan.builder.entry);
    RC_ASSERT(o.image.count == plan.segments.size());
    for (std::size_t i = 0; i < plan.segments.size(); ++i) {
        const PlannedSegment& p = plan.segments[i];
        const Segment& s = o.image.segments[i];
        RC_ASSERT(s.vaddr == p.vaddr);
        RC_ASSERT(s.memsz == p.memsz);
        RC_ASSERT(s.file_offset == p.offset);
        RC_ASSERT(s.file_size == p.filesz);
        std::uint64_t r = ((p.flags & 4) ? rights::read : 0) | ((p.flags & 2) ? rights::write : 0) |
                          ((p.flags & 1) ? rights::exec : 0);
        RC_ASSERT(s.rights == r);
        // Every page: planned file bytes inside [vaddr, vaddr + filesz), zero elsewhere.
        std::vector<std::byte> buf(page), expected(page);
        for (std::uint64_t va = s.page_begin(); va < s.page_end(); va += page) {
            RC_ASSERT(fill_page(o.bytes.get(), o.size, s, va, buf.data()));
            for (std::uint64_t k = 0; k < page; ++k) {
                std::uint64_t a = va + k;
                bool in_file = a >= p.vaddr && a < p.vaddr + p.filesz;
                expected[k] = std::byte{in_file ? byte_at(p.offset + (a - p.vaddr)) : std::uint8_t{0}};
            }
            RC_ASSERT(buf == expected);
        }
    }
}

RC_GTEST_PROP(ElfProp, MutatedImagesLoadOrFailCleanly, ()) {
    std::vector<std::byte> image = valid_plan().builder.build();
    mutate(image);
    judge(parse(image));
}

RC_GTEST_PROP(ElfProp, MutatedRootTaskLoadsOrFailsCleanly, ()) {
    static const std::vector<std::byte> original = root_task();
    RC_PRE(!original.empty());
    std::vector<std::byte> image = original;
    mutate(image);
    judge(parse(image));
}

TEST(ElfProp, RootTaskIsThere) {
    // The property above would pass vacuously (RC_PRE) without the file.
    EXPECT_GT(root_task().size(), 4096u) << "build target user_roottask";
}
