// Properties of the boot-information parsers (ctest boot.BootInfoProp.*, label prop, run under ASan+UBSan).
//
//  * Random multiboot2 tag sequences, well-formed and corrupted, end exactly where the readable window ends:
//    the parser reads nothing it was not granted (strict FakePhys: every grant is an exact-size heap copy, so
//    ASan sees any over-read) and either parses or returns a BootError. A single tag flush with the end of
//    the buffer checks each tag parser against its own size.
//  * Well-formed multiboot2 information round-trips: what the builder put in is what the parser hands out.
//  * normalise_memory_map agrees with an independent per-address oracle written here, keeps the MemoryMap
//    invariants, and does not depend on the order of the entries.
//  * PVH start_info with random pointers and counts never reads outside the window.
//
// A failure prints RapidCheck's RC_PARAMS="reproduce=..." line, which replays it exactly; a sanitizer stop
// prints the command that replays it (replay_on_crash.hpp).
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <optional>
#include <ostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "kernel/boot/bootinfo.hpp"
#include "kernel/boot/testing/fake_phys.hpp"
#include "kernel/boot/testing/memory_map_check.hpp"
#include "kernel/boot/testing/multiboot2_builder.hpp"
#include "kernel/boot/testing/pvh_builder.hpp"
#include "proptest/replay_on_crash.hpp"

namespace kernel::boot {
std::ostream& operator<<(std::ostream& os, const RawRegion& r) {
    return os << "{0x" << std::hex << r.base << ", 0x" << r.size << ", " << std::dec << r.e820_type << "}";
}
} // namespace kernel::boot

namespace {

using namespace kernel::boot;
using namespace kernel::boot::testing;

constexpr std::uint64_t top = ~std::uint64_t{0};

// ------------------------------------------------------------------------------------------------ oracle

/// Precedence from the interface: usable < ACPI reclaimable < ACPI NVS < bad < reserved. e820: 1 usable,
/// 3 ACPI reclaimable, 4 ACPI NVS, 5 bad, anything else reserved.
int rank_of(std::uint32_t e820_type) {
    switch (e820_type) {
    case 1:
        return 0;
    case 3:
        return 1;
    case 4:
        return 2;
    case 5:
        return 3;
    default:
        return 4;
    }
}
MemoryType kind_of_rank(int rank) {
    const MemoryType kinds[] = {MemoryType::usable, MemoryType::acpi_reclaimable, MemoryType::acpi_nvs,
                                MemoryType::bad, MemoryType::reserved};
    return kinds[rank];
}

bool covers(const RawRegion& r, std::uint64_t a) {
    return r.size != 0 && a >= r.base && a - r.base < r.size;
}
bool overlaps(const RawRegion& r, std::uint64_t first, std::uint64_t last) {
    return r.size != 0 && r.base <= last && r.base + (r.size - 1) >= first;
}

/// The kind that must be at address `a` before page trimming: the highest-ranked entry covering it.
std::optional<int> winner(const std::vector<RawRegion>& raw, std::uint64_t a) {
    std::optional<int> best;
    for (const RawRegion& r : raw)
        if (covers(r, a)) best = std::max(best.value_or(-1), rank_of(r.e820_type));
    return best;
}

/// True if every byte of the 4 KiB page at `p` is covered by usable entries and by nothing ranked higher.
bool page_wholly_usable(const std::vector<RawRegion>& raw, std::uint64_t p) {
    if (p > top - (page - 1)) return false;
    std::uint64_t last = p + (page - 1);
    std::vector<RawRegion> usable;
    for (const RawRegion& r : raw) {
        if (!overlaps(r, p, last)) continue;
        if (rank_of(r.e820_type) != 0) return false;
        usable.push_back(r);
    }
    std::sort(usable.begin(), usable.end(),
              [](const RawRegion& a, const RawRegion& b) { return a.base < b.base; });
    std::uint64_t next = p; // first byte not yet known to be covered
    for (const RawRegion& r : usable) {
        if (r.base > next) return false;
        std::uint64_t r_last = r.base + (r.size - 1);
        if (r_last >= last) return true;
        next = std::max(next, r_last + 1);
    }
    return false;
}

std::optional<MemoryType> expected_at(const std::vector<RawRegion>& raw, std::uint64_t a) {
    std::optional<int> w = winner(raw, a);
    if (!w) return std::nullopt;
    if (*w != 0) return kind_of_rank(*w);
    if (page_wholly_usable(raw, a & ~(page - 1))) return MemoryType::usable;
    return std::nullopt;
}

std::optional<MemoryType> actual_at(const MemoryMap& m, std::uint64_t a) {
    for (const MemoryRegion& r : m)
        if (a >= r.base && a - r.base < r.size) return r.type;
    return std::nullopt;
}

std::string describe(std::optional<MemoryType> t) {
    return t ? str(to_string(*t)) : std::string("absent");
}

std::string hex_str(std::uint64_t v) {
    std::ostringstream os;
    os << "0x" << std::hex << v;
    return os.str();
}

/// The normalised map agrees with the oracle at every boundary of the input and the output, their neighbours,
/// the page boundaries around them, and some addresses in between.
void check_against_oracle(const std::vector<RawRegion>& raw, const MemoryMap& m) {
    RC_ASSERT(memory_map_violation(m) == "");
    std::vector<std::uint64_t> samples;
    auto around = [&](std::uint64_t a) {
        for (std::uint64_t d : {std::uint64_t{0}, std::uint64_t{1}, page - 1, page})
            samples.insert(samples.end(), {a + d, a - d, (a & ~(page - 1)) + d, (a & ~(page - 1)) - d});
    };
    for (const RawRegion& r : raw) {
        if (r.size == 0) continue;
        around(r.base);
        around(r.base + r.size);
        for (int i = 1; i < 4; ++i) samples.push_back(r.base + r.size / 4 * i);
    }
    for (const MemoryRegion& r : m) {
        around(r.base);
        around(r.base + r.size - 1);
    }
    for (std::uint64_t a : samples) {
        std::optional<MemoryType> want = expected_at(raw, a), got = actual_at(m, a);
        if (want != got)
            RC_FAIL("at " + hex_str(a) + " expected " + describe(want) + ", map says " + describe(got));
    }
}

// ------------------------------------------------------------------------------------------- generators

std::uint64_t draw_base() {
    return *rc::gen::weightedOneOf<std::uint64_t>({
        {6, rc::gen::map(rc::gen::inRange<std::uint64_t>(0, 80), [](std::uint64_t k) { return k * 0x400; })},
        {2, rc::gen::inRange<std::uint64_t>(0, 0x20000)},
        {1, rc::gen::map(rc::gen::inRange<std::uint64_t>(1, 0x6000),
                         [](std::uint64_t k) { return top - k + 1; })},
        {1, rc::gen::arbitrary<std::uint64_t>()},
    });
}

std::uint64_t draw_size() {
    return *rc::gen::weightedOneOf<std::uint64_t>({
        {1, rc::gen::just<std::uint64_t>(0)},
        {6, rc::gen::map(rc::gen::inRange<std::uint64_t>(1, 40), [](std::uint64_t k) { return k * 0x400; })},
        {2, rc::gen::inRange<std::uint64_t>(1, 0x4000)},
        {1, rc::gen::arbitrary<std::uint64_t>()},
    });
}

std::uint32_t draw_e820_type() {
    return *rc::gen::weightedOneOf<std::uint32_t>({
        {5, rc::gen::just<std::uint32_t>(1)},
        {2, rc::gen::just<std::uint32_t>(2)},
        {3, rc::gen::inRange<std::uint32_t>(3, 6)},
        {1, rc::gen::inRange<std::uint32_t>(0, 8)},
        {1, rc::gen::arbitrary<std::uint32_t>()},
    });
}

RawRegion draw_region() {
    return {draw_base(), draw_size(), draw_e820_type()};
}

/// Entries whose end does not wrap (the well-formed case).
RawRegion draw_sane_region() {
    RawRegion r = draw_region();
    if (r.size > top - r.base) r.size = top - r.base;
    return r;
}

std::string draw_text(std::size_t max_len) {
    std::size_t n = *rc::gen::inRange<std::size_t>(0, max_len + 1);
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += static_cast<char>(*rc::gen::inRange(0x20, 0x7f));
    return s;
}

Bytes draw_bytes(std::size_t max_len) {
    std::vector<std::uint8_t> v = *rc::gen::container<std::vector<std::uint8_t>>(
        *rc::gen::inRange<std::size_t>(0, max_len + 1), rc::gen::arbitrary<std::uint8_t>());
    Bytes b;
    for (std::uint8_t x : v) b.push_back(std::byte{x});
    return b;
}

std::vector<Mb2MmapEntry> to_mmap(const std::vector<RawRegion>& raw) {
    std::vector<Mb2MmapEntry> v;
    for (const RawRegion& r : raw) v.push_back({r.base, r.size, r.e820_type});
    return v;
}

/// One tag of any kind, sometimes malformed.
void add_random_tag(Mb2Builder& b) {
    switch (*rc::gen::inRange(0, 12)) {
    case 0:
        b.cmdline(draw_text(300));
        break;
    case 1:
        b.loader_name(draw_text(80));
        break;
    case 2:
        b.module(*rc::gen::arbitrary<std::uint32_t>(), *rc::gen::arbitrary<std::uint32_t>(), draw_text(80));
        break;
    case 3:
        b.basic_meminfo(*rc::gen::arbitrary<std::uint32_t>(), *rc::gen::arbitrary<std::uint32_t>());
        break;
    case 4: {
        std::vector<RawRegion> raw = *rc::gen::container<std::vector<RawRegion>>(
            *rc::gen::inRange<std::size_t>(0, 24), rc::gen::exec([] {
                return *rc::gen::weightedElement<bool>({{19, true}, {1, false}}) ? draw_sane_region()
                                                                                 : draw_region();
            }));
        std::uint32_t entry_size =
            *rc::gen::weightedElement<std::uint32_t>({{6, 24}, {2, 32}, {1, 40}, {1, 16}, {1, 28}});
        b.mmap(to_mmap(raw), entry_size, *rc::gen::inRange<std::uint32_t>(0, 3));
        break;
    }
    case 5: {
        std::uint8_t fields[6] = {16, 8, 8, 8, 0, 8};
        switch (*rc::gen::inRange(0, 4)) {
        case 0:
            b.framebuffer_rgb(*rc::gen::arbitrary<std::uint64_t>(), 4096, 1024, 768, 32, fields);
            break;
        case 1:
            b.framebuffer_indexed(0xa0000, 320, 320, 200, 8, *rc::gen::inRange<std::uint16_t>(0, 20));
            break;
        case 2:
            b.framebuffer_ega_text(0xb8000, 80, 25);
            break;
        default: {
            Bytes p;
            Mb2Builder::framebuffer_common(p, 0, 0, 0, 0, 0, *rc::gen::arbitrary<std::uint8_t>());
            p.resize(*rc::gen::inRange<std::size_t>(0, 40));
            b.raw_tag(mb2_tag::framebuffer, p);
        }
        }
        break;
    }
    case 6:
        if (*rc::gen::arbitrary<bool>())
            b.acpi_old();
        else
            b.acpi_new();
        break;
    case 7: // any type, any payload, honest size
        b.raw_tag(*rc::gen::weightedOneOf<std::uint32_t>({{3, rc::gen::inRange<std::uint32_t>(1, 22)},
                                                          {1, rc::gen::arbitrary<std::uint32_t>()}}),
                  draw_bytes(64));
        break;
    case 8: { // a size that lies
        Bytes p = draw_bytes(32);
        std::int64_t declared = *rc::gen::weightedOneOf<std::int64_t>({
            {2, rc::gen::inRange<std::int64_t>(0, 8)},
            {2, rc::gen::just<std::int64_t>(static_cast<std::int64_t>(8 + p.size() + 1))},
            {2, rc::gen::inRange<std::int64_t>(8, 4096)},
            {1, rc::gen::just<std::int64_t>(0xffffffff)},
        });
        b.raw_tag(*rc::gen::inRange<std::uint32_t>(0, 22), p, declared);
        break;
    }
    case 9: // an early end tag
        b.raw_tag(mb2_tag::end, Bytes{}, *rc::gen::elementOf(std::vector<std::int64_t>{8, 16, 4}));
        break;
    default: { // a string tag without its terminator
        Bytes p;
        append_str(p, draw_text(20), false);
        b.raw_tag(*rc::gen::element(mb2_tag::cmdline, mb2_tag::loader_name), p);
    }
    }
}

/// Damage to a built image: bit flips, overwritten words, a changed total_size, truncation.
void corrupt(Bytes& image) {
    int damage = *rc::gen::weightedElement<int>({{3, 0}, {2, 1}, {1, 2}, {1, 4}});
    for (int i = 0; i < damage && !image.empty(); ++i) {
        switch (*rc::gen::inRange(0, 4)) {
        case 0: {
            std::size_t bit = *rc::gen::inRange<std::size_t>(0, image.size() * 8);
            image[bit / 8] ^= std::byte{static_cast<std::uint8_t>(1u << (bit % 8))};
            break;
        }
        case 1:
            if (image.size() >= 4) {
                std::size_t at = *rc::gen::inRange<std::size_t>(0, image.size() / 4) * 4;
                patch_u32(image, at,
                          *rc::gen::elementOf(
                              std::vector<std::uint32_t>{0, 7, 8, 9, 16, 24, 0x7fffffff, 0xffffffff,
                                                         static_cast<std::uint32_t>(image.size())}));
            }
            break;
        case 2:
            if (image.size() >= 4)
                patch_u32(image, 0, static_cast<std::uint32_t>(image.size()) + *rc::gen::inRange(-16, 17));
            break;
        default:
            image.resize(*rc::gen::inRange<std::size_t>(0, image.size()));
        }
    }
}

/// What every result must satisfy, parsed or rejected.
void check_outcome(const kernel::Result<kernel::Ok, BootError>& r, const BootInfo& info,
                   const FakePhys& mem) {
    RC_TAG(r ? std::string("parsed") : str(to_string(r.error().kind)));
    if (r) {
        RC_ASSERT(!mem.refused_any());
        RC_ASSERT(memory_map_violation(info.memory) == "");
        RC_ASSERT(info.module_count <= BootInfo::max_modules);
        RC_ASSERT(std::find(std::begin(info.cmdline), std::end(info.cmdline), '\0') !=
                  std::end(info.cmdline));
        RC_ASSERT(std::find(std::begin(info.loader_name), std::end(info.loader_name), '\0') !=
                  std::end(info.loader_name));
        for (std::size_t i = 0; i < info.module_count; ++i) {
            const char* name = info.modules[i].name;
            RC_ASSERT(std::find(name, name + Module::name_capacity, '\0') != name + Module::name_capacity);
        }
        return;
    }
    const BootError& e = r.error();
    RC_ASSERT(e.kind <= BootErrorKind::unsupported);
    RC_ASSERT(e.what != nullptr);
    // A refusal is never ignored: if the reader said no, the parser says "unreadable".
    if (mem.refused_any()) RC_ASSERT(e.kind == BootErrorKind::unreadable);
}

// ----------------------------------------------------------------------------------------------- properties

RC_GTEST_PROP(BootInfoProp, Multiboot2RandomTagSequencesParseOrFailCleanlyWithinTheWindow, ()) {
    Mb2Builder b;
    int tags = *rc::gen::inRange(0, 12);
    // A sane memory map somewhere in most sequences, so that parsing often gets past "no memory map".
    int map_at =
        *rc::gen::weightedElement<bool>({{3, true}, {1, false}}) ? *rc::gen::inRange(0, tags + 1) : -1;
    for (int i = 0; i <= tags; ++i) {
        if (i == map_at)
            b.mmap(to_mmap(*rc::gen::container<std::vector<RawRegion>>(*rc::gen::inRange<std::size_t>(1, 12),
                                                                       rc::gen::exec(draw_sane_region))));
        if (i < tags) add_random_tag(b);
    }
    b.end_tag(*rc::gen::weightedElement<bool>({{9, true}, {1, false}}));
    Bytes image = b.build();
    if (tags > 0 && *rc::gen::weightedElement<bool>({{3, false}, {1, true}})) {
        // End the information flush with the end of some tag (no padding, no end tag): any read past that
        // tag's size is a read past the buffer.
        std::size_t off = b.offset(*rc::gen::inRange<std::size_t>(0, static_cast<std::size_t>(tags)));
        std::uint32_t size = 0;
        for (int k = 3; k >= 0; --k) size = size << 8 | static_cast<std::uint8_t>(image[off + 4 + k]);
        if (size >= 8 && off + size <= image.size()) {
            image.resize(off + size);
            patch_u32(image, 0, static_cast<std::uint32_t>(image.size()));
        }
    }
    corrupt(image);

    // The information ends exactly where the simulated memory and the readable window end.
    const std::uint64_t pa = *rc::gen::weightedElement<std::uint64_t>({{9, 0x10000}, {1, 0x10004}});
    FakePhys mem(pa, image.size());
    mem.set_strict(true);
    mem.write(pa, image);
    BootInfo info;
    auto r = parse_multiboot2(mem, pa, info);
    check_outcome(r, info, mem);
    if (!r) {
        // Errors point into the information (or one tag header past its end), never elsewhere.
        RC_ASSERT(r.error().location >= pa);
        RC_ASSERT(r.error().location <= pa + image.size() + 8);
    }
}

RC_GTEST_PROP(BootInfoProp, ATagFlushWithTheEndOfTheBufferIsNeverReadPastItsSize, ()) {
    // One tag of a kind the parser reads, with a random payload, ending exactly where the buffer ends (no
    // padding, no end tag): whatever the tag's parser reads beyond the tag's size is an ASan report.
    const std::uint32_t type =
        *rc::gen::element(mb2_tag::cmdline, mb2_tag::loader_name, mb2_tag::module, mb2_tag::basic_meminfo,
                          mb2_tag::mmap, mb2_tag::framebuffer, mb2_tag::acpi_old, mb2_tag::acpi_new);
    std::vector<std::uint8_t> payload = *rc::gen::container<std::vector<std::uint8_t>>(
        *rc::gen::inRange<std::size_t>(0, 64), rc::gen::weightedOneOf<std::uint8_t>({
                                                   {9, rc::gen::inRange<std::uint8_t>(1, 255)},
                                                   {1, rc::gen::just<std::uint8_t>(0)},
                                               }));
    // Steer into the deeper paths: a plausible entry_size, an RGB framebuffer.
    if (type == mb2_tag::mmap && payload.size() >= 8 && *rc::gen::arbitrary<bool>()) {
        payload[0] = *rc::gen::element<std::uint8_t>(24, 32);
        payload[1] = payload[2] = payload[3] = 0;
    }
    if (type == mb2_tag::framebuffer && payload.size() > 21 && *rc::gen::arbitrary<bool>()) payload[21] = 1;

    Bytes image;
    append_u32(image, static_cast<std::uint32_t>(16 + payload.size()));
    append_u32(image, 0);
    append_u32(image, type);
    append_u32(image, static_cast<std::uint32_t>(8 + payload.size()));
    for (std::uint8_t x : payload) append_u8(image, x);
    const std::uint64_t pa = 0x10000;
    FakePhys mem(pa, image.size());
    mem.set_strict(true);
    mem.write(pa, image);
    BootInfo info;
    auto r = parse_multiboot2(mem, pa, info);
    check_outcome(r, info, mem);
    RC_ASSERT(!r.ok()); // there is no end tag
}

RC_GTEST_PROP(BootInfoProp, WellFormedMultiboot2RoundTrips, ()) {
    std::optional<std::string> cmdline, loader;
    if (*rc::gen::arbitrary<bool>()) cmdline = draw_text(300);
    if (*rc::gen::arbitrary<bool>()) loader = draw_text(100);
    struct Mod {
        std::uint32_t start, end;
        std::string name;
    };
    std::vector<Mod> mods;
    for (std::size_t i = 0, n = *rc::gen::inRange<std::size_t>(0, BootInfo::max_modules + 1); i < n; ++i) {
        std::uint32_t start = *rc::gen::arbitrary<std::uint32_t>();
        std::uint64_t room = 0x100000000 - std::uint64_t{start}; // mod_end stays a u32
        auto end = static_cast<std::uint32_t>(start + *rc::gen::inRange<std::uint64_t>(0, room));
        mods.push_back({start, end, draw_text(100)});
    }
    std::vector<RawRegion> raw = *rc::gen::container<std::vector<RawRegion>>(
        *rc::gen::inRange<std::size_t>(1, 40), rc::gen::exec(draw_sane_region));
    int acpi = *rc::gen::inRange(0, 4); // none, old, new, both

    // Tags in a random order; modules keep theirs relative to each other. Unknown tags in between.
    std::vector<int> order;
    if (cmdline) order.push_back(0);
    if (loader) order.push_back(1);
    order.push_back(2);
    for (std::size_t i = 0; i < mods.size(); ++i) order.push_back(3);
    if (acpi & 1) order.push_back(4);
    if (acpi & 2) order.push_back(5);
    for (int i = *rc::gen::inRange(0, 4); i > 0; --i) order.push_back(6);
    std::vector<std::size_t> keys =
        *rc::gen::container<std::vector<std::size_t>>(order.size(), rc::gen::arbitrary<std::size_t>());
    std::vector<std::size_t> perm(order.size());
    for (std::size_t i = 0; i < perm.size(); ++i) perm[i] = i;
    std::stable_sort(perm.begin(), perm.end(),
                     [&](std::size_t a, std::size_t c) { return keys[a] < keys[c]; });

    Mb2Builder b;
    std::size_t next_mod = 0, tag_index = 0, acpi_new_index = 0, acpi_old_index = 0;
    for (std::size_t k : perm) {
        switch (order[k]) {
        case 0:
            b.cmdline(*cmdline);
            break;
        case 1:
            b.loader_name(*loader);
            break;
        case 2:
            b.mmap(to_mmap(raw));
            break;
        case 3:
            b.module(mods[next_mod].start, mods[next_mod].end, mods[next_mod].name);
            ++next_mod;
            break;
        case 4:
            b.acpi_old();
            acpi_old_index = tag_index;
            break;
        case 5:
            b.acpi_new();
            acpi_new_index = tag_index;
            break;
        default: // unknown to the parser (16 and up are not parsed)
            b.raw_tag(*rc::gen::inRange<std::uint32_t>(16, 1000), draw_bytes(40));
        }
        ++tag_index;
    }
    Bytes image = b.build();
    const std::uint64_t pa = 0x20000;
    FakePhys mem(pa, image.size());
    mem.set_strict(true);
    mem.write(pa, image);
    BootInfo info;
    auto r = parse_multiboot2(mem, pa, info);
    RC_ASSERT(r.ok());

    RC_ASSERT(std::string(info.cmdline) == cmdline.value_or("").substr(0, BootInfo::cmdline_capacity - 1));
    RC_ASSERT(std::string(info.loader_name) == loader.value_or("").substr(0, BootInfo::loader_capacity - 1));
    RC_ASSERT(info.module_count == mods.size());
    for (std::size_t i = 0; i < mods.size(); ++i) {
        RC_ASSERT(info.modules[i].base == mods[i].start);
        RC_ASSERT(info.modules[i].size == std::uint64_t{mods[i].end} - mods[i].start);
        RC_ASSERT(std::string(info.modules[i].name) == mods[i].name.substr(0, Module::name_capacity - 1));
    }
    std::uint64_t want_rsdp = acpi & 2   ? pa + b.offset(acpi_new_index) + 8
                              : acpi & 1 ? pa + b.offset(acpi_old_index) + 8
                                         : 0;
    RC_ASSERT(info.acpi_rsdp == want_rsdp);
    check_against_oracle(raw, info.memory);
}

RC_GTEST_PROP(BootInfoProp, NormalisedMapMatchesAPerAddressOracle, ()) {
    // At most 100 entries: never more than 199 regions, so capacity is never the issue here.
    std::vector<RawRegion> raw = *rc::gen::container<std::vector<RawRegion>>(rc::gen::exec(draw_region));
    RC_PRE(raw.size() <= 100);
    MemoryMap m;
    m.count = 7; // whatever was there before must not survive
    auto r = normalise_memory_map(raw.data(), raw.size(), m);
    bool wraps =
        std::any_of(raw.begin(), raw.end(), [](const RawRegion& e) { return e.size > top - e.base; });
    if (wraps) {
        RC_ASSERT(!r.ok());
        RC_ASSERT(r.error().kind == BootErrorKind::bad_range);
        RC_ASSERT(m.count == 0u);
        return;
    }
    RC_ASSERT(r.ok());
    check_against_oracle(raw, m);
}

RC_GTEST_PROP(BootInfoProp, NormalisedMapIsIndependentOfEntryOrder, ()) {
    std::vector<RawRegion> raw = *rc::gen::container<std::vector<RawRegion>>(rc::gen::exec(draw_sane_region));
    RC_PRE(raw.size() <= 100);
    std::vector<RawRegion> shuffled = raw;
    std::mt19937_64 rng(*rc::gen::arbitrary<std::uint64_t>());
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    MemoryMap a, b;
    RC_ASSERT(normalise_memory_map(raw.data(), raw.size(), a).ok());
    RC_ASSERT(normalise_memory_map(shuffled.data(), shuffled.size(), b).ok());
    RC_ASSERT(spans(a) == spans(b));
}

/// A pointer into, near or far from the window [lo, hi) of memory [base, limit).
std::uint64_t draw_pointer(const FakePhys& mem) {
    std::uint64_t size = mem.limit() - mem.base();
    return *rc::gen::weightedOneOf<std::uint64_t>({
        {1, rc::gen::just<std::uint64_t>(0)},
        {6, rc::gen::map(rc::gen::inRange<std::uint64_t>(0, size),
                         [&](std::uint64_t o) { return mem.base() + o; })},
        {2, rc::gen::map(rc::gen::inRange<std::uint64_t>(1, 600),
                         [&](std::uint64_t k) { return mem.window_hi() - k; })},
        {1, rc::gen::map(rc::gen::inRange<std::uint64_t>(1, 600),
                         [&](std::uint64_t k) { return mem.window_lo() - k; })},
        {1,
         rc::gen::map(rc::gen::inRange<std::uint64_t>(1, 600), [](std::uint64_t k) { return top - k + 1; })},
        {1, rc::gen::arbitrary<std::uint64_t>()},
    });
}

/// With probability 1/6, a random value instead of `v`.
template <typename T>
T maybe(T v, const rc::Gen<T>& other) {
    return *rc::gen::weightedElement<bool>({{5, true}, {1, false}}) ? v : *other;
}

RC_GTEST_PROP(BootInfoProp, PvhWithRandomPointersAndCountsNeverReadsOutsideTheWindow, ()) {
    FakePhys mem(0x100000, 0x3000);
    mem.set_strict(true);
    // Background: random letters with plenty of NULs, so wild string pointers sometimes end and sometimes run
    // on.
    std::mt19937_64 fill(*rc::gen::arbitrary<std::uint64_t>());
    for (std::uint64_t pa = mem.base(); pa < mem.limit(); ++pa)
        *mem.at(pa) = fill() % 4 ? std::byte{static_cast<std::uint8_t>('a' + fill() % 26)} : std::byte{0};

    // A sane image first: start_info, module list, memory map and strings at random places in memory...
    PvhImage image;
    image.start_info_pa = mem.base() + *rc::gen::inRange<std::uint64_t>(0, 0x100);
    image.modlist_pa = mem.base() + 0x100 + *rc::gen::inRange<std::uint64_t>(0, 0x100);
    image.memmap_pa = mem.base() + 0x400 + *rc::gen::inRange<std::uint64_t>(0, 0x100);
    image.strings_pa = mem.base() + 0xc00 + *rc::gen::inRange<std::uint64_t>(0, 0x100);
    if (*rc::gen::arbitrary<bool>()) image.cmdline = draw_text(300);
    for (std::size_t i = 0, n = *rc::gen::inRange<std::size_t>(0, 6); i < n; ++i) {
        RawRegion r = draw_sane_region();
        std::optional<std::string> name;
        if (*rc::gen::arbitrary<bool>()) name = draw_text(80);
        image.modules.push_back({r.base, r.size, name});
    }
    for (std::size_t i = 0, n = *rc::gen::inRange<std::size_t>(1, 40); i < n; ++i) {
        RawRegion r =
            *rc::gen::weightedElement<bool>({{19, true}, {1, false}}) ? draw_sane_region() : draw_region();
        image.memmap.push_back({r.base, r.size, r.e820_type});
    }
    image.rsdp_paddr = *rc::gen::arbitrary<std::uint64_t>();
    image.flags = *rc::gen::arbitrary<std::uint32_t>();
    image.magic = maybe(xen_hvm_start_magic, rc::gen::arbitrary<std::uint32_t>());
    image.version = maybe<std::uint32_t>(1, rc::gen::element<std::uint32_t>(0, 2, 0xffffffff));

    // ...then some counts and pointers replaced by anything at all.
    const auto any_pointer = rc::gen::exec([&] { return draw_pointer(mem); });
    const auto any_count =
        rc::gen::weightedOneOf<std::uint32_t>({{6, rc::gen::inRange<std::uint32_t>(0, 40)},
                                               {1, rc::gen::inRange<std::uint32_t>(240, 300)},
                                               {1, rc::gen::arbitrary<std::uint32_t>()}});
    image.nr_modules = maybe(static_cast<std::uint32_t>(image.modules.size()), any_count);
    image.memmap_entries = maybe(static_cast<std::uint32_t>(image.memmap.size()), any_count);
    image.modlist_paddr = maybe<std::uint64_t>(image.modules.empty() ? 0 : image.modlist_pa, any_pointer);
    image.memmap_paddr = maybe<std::uint64_t>(image.memmap_pa, any_pointer);
    std::uint64_t start_info = maybe(image.start_info_pa, any_pointer);
    image.write_to(mem);
    if (*rc::gen::weightedElement<bool>({{5, false}, {1, true}}))
        mem.write_u64(image.start_info_pa + 24, *any_pointer); // cmdline_paddr anywhere
    for (std::size_t i = 0; i < image.modules.size(); ++i)
        if (*rc::gen::weightedElement<bool>({{5, false}, {1, true}}))
            mem.write_u64(image.modlist_pa + i * hvm_modlist_entry_size + 16, *any_pointer);

    // The readable window: usually all of memory, sometimes less.
    if (*rc::gen::weightedElement<bool>({{3, false}, {1, true}}))
        mem.set_window(mem.base() + *rc::gen::inRange<std::uint64_t>(0, 0x800),
                       mem.limit() - *rc::gen::inRange<std::uint64_t>(0, 0x2000));

    BootInfo info;
    auto r = parse_pvh(mem, start_info, info);
    check_outcome(r, info, mem);
    for (const FakePhys::Access& a : mem.log())
        if (a.granted) RC_ASSERT(a.pa >= mem.window_lo() && a.pa + a.size <= mem.window_hi());
    if (r) {
        // What was read is what is in memory (the parse succeeded, so start_info lies in memory).
        auto u32_at = [&](std::uint64_t pa) {
            std::uint32_t v = 0;
            for (int k = 3; k >= 0; --k) v = v << 8 | static_cast<std::uint8_t>(*mem.at(pa + k));
            return v;
        };
        auto u64_at = [&](std::uint64_t pa) { return std::uint64_t{u32_at(pa + 4)} << 32 | u32_at(pa); };
        RC_ASSERT(info.module_count == u32_at(start_info + 12));
        RC_ASSERT(info.acpi_rsdp == u64_at(start_info + 32));
        std::uint64_t cmdline = u64_at(start_info + 24);
        if (cmdline != 0) {
            std::string want(reinterpret_cast<const char*>(mem.at(cmdline)));
            RC_ASSERT(std::string(info.cmdline) == want.substr(0, BootInfo::cmdline_capacity - 1));
        } else {
            RC_ASSERT(std::string(info.cmdline).empty());
        }
    }
}

} // namespace
