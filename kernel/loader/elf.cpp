#include "kernel/loader/elf.hpp"

#include "kernel/abi/abi.hpp"
#include "kernel/boot/byte_reader.hpp"
#include "kernel/loader/elf_format.hpp"

namespace kernel::loader {

namespace {

/// More program headers than any real static executable has (ours have 3 to 5); bounds the work on
/// hostile tables.
constexpr std::uint16_t max_program_headers = 64;

using boot::ByteView;

ElfError error(ElfErrorKind kind, const char* field, std::uint64_t offset, std::uint64_t value,
               std::uint32_t header = ElfError::no_header) {
    return {kind, field, offset, value, header};
}

bool power_of_two(std::uint64_t v) {
    return v != 0 && (v & (v - 1)) == 0;
}

Result<Ok, ElfError> check_ident(const ByteView& v) {
    for (std::size_t i = 0; i < 4; ++i) {
        std::uint8_t b = 0;
        (void)v.read(i, b); // the caller checked the header fits
        if (b != elf::magic[i]) return fail(error(ElfErrorKind::bad_ident, "e_ident magic", i, b));
    }
    struct Expected {
        std::size_t index;
        std::uint8_t value;
        const char* field;
    };
    static constexpr Expected expected[] = {
        {elf::ei_class, elf::elfclass64, "e_ident class"},
        {elf::ei_data, elf::elfdata2lsb, "e_ident data encoding"},
        {elf::ei_version, elf::ev_current, "e_ident version"},
        {elf::ei_osabi, elf::elfosabi_sysv, "e_ident OS ABI"},
        {elf::ei_abiversion, 0, "e_ident ABI version"},
    };
    for (const Expected& e : expected) {
        std::uint8_t b = 0;
        (void)v.read(e.index, b);
        if (b != e.value) return fail(error(ElfErrorKind::bad_ident, e.field, e.index, b));
    }
    return Ok{};
}

Result<Ok, ElfError> check_header(const ByteView& v) {
    std::uint16_t type = 0, machine = 0, ehsize = 0, phentsize = 0;
    std::uint32_t version = 0;
    (void)v.read(elf::ehdr::e_type, type);
    (void)v.read(elf::ehdr::e_machine, machine);
    (void)v.read(elf::ehdr::e_version, version);
    (void)v.read(elf::ehdr::e_ehsize, ehsize);
    (void)v.read(elf::ehdr::e_phentsize, phentsize);
    if (type != elf::et_exec) return fail(error(ElfErrorKind::bad_header, "e_type", elf::ehdr::e_type, type));
    if (machine != elf::em_x86_64)
        return fail(error(ElfErrorKind::bad_header, "e_machine", elf::ehdr::e_machine, machine));
    if (version != elf::ev_current)
        return fail(error(ElfErrorKind::bad_header, "e_version", elf::ehdr::e_version, version));
    if (ehsize != elf::ehdr::size)
        return fail(error(ElfErrorKind::bad_header, "e_ehsize", elf::ehdr::e_ehsize, ehsize));
    if (phentsize != elf::phdr::size)
        return fail(error(ElfErrorKind::bad_header, "e_phentsize", elf::ehdr::e_phentsize, phentsize));
    return Ok{};
}

/// Does the segment type need something the kernel does not do (dynamic linking, TLS)?
bool unsupported_type(std::uint32_t type) {
    if (type >= elf::pt_loos) return false; // OS/processor specific: hints such as PT_GNU_STACK
    return type != elf::pt_null && type != elf::pt_load && type != elf::pt_note && type != elf::pt_phdr;
}

struct RawSegment {
    std::uint32_t flags;
    std::uint64_t offset, vaddr, filesz, memsz, align;
};

/// Validate one PT_LOAD program header at `at` (index `i`) and turn it into a Segment.
Result<Ok, ElfError> check_load(const RawSegment& p, std::size_t image_size, std::size_t at, std::uint32_t i,
                                Segment& out) {
    auto field = [&](ElfErrorKind kind, const char* name, std::size_t off, std::uint64_t value) {
        return fail(error(kind, name, at + off, value, i));
    };
    if (p.memsz == 0) return field(ElfErrorKind::bad_segment_size, "p_memsz", elf::phdr::p_memsz, p.memsz);
    if (p.filesz > p.memsz)
        return field(ElfErrorKind::bad_segment_size, "p_filesz", elf::phdr::p_filesz, p.filesz);
    if (p.offset > image_size)
        return field(ElfErrorKind::outside_image, "p_offset", elf::phdr::p_offset, p.offset);
    if (p.filesz > image_size - p.offset)
        return field(ElfErrorKind::outside_image, "p_filesz", elf::phdr::p_filesz, p.filesz);
    if (p.align > 1 && !power_of_two(p.align))
        return field(ElfErrorKind::misaligned, "p_align", elf::phdr::p_align, p.align);
    if (p.align > 1 && p.vaddr % p.align != p.offset % p.align)
        return field(ElfErrorKind::misaligned, "p_vaddr", elf::phdr::p_vaddr, p.vaddr);
    if (p.vaddr % page_size != p.offset % page_size)
        return field(ElfErrorKind::misaligned, "p_vaddr", elf::phdr::p_vaddr, p.vaddr);
    if (p.vaddr < page_size || p.vaddr >= janus::abi::user_end)
        return field(ElfErrorKind::outside_user_space, "p_vaddr", elf::phdr::p_vaddr, p.vaddr);
    // vaddr < user_end, so this difference cannot underflow, and the comparison cannot overflow.
    if (p.memsz > janus::abi::user_end - p.vaddr)
        return field(ElfErrorKind::outside_user_space, "p_memsz", elf::phdr::p_memsz, p.memsz);
    constexpr std::uint32_t known = elf::pf_r | elf::pf_w | elf::pf_x;
    if ((p.flags & ~known) != 0)
        return field(ElfErrorKind::bad_flags, "p_flags", elf::phdr::p_flags, p.flags);
    if ((p.flags & elf::pf_w) && (p.flags & elf::pf_x))
        return field(ElfErrorKind::writable_and_executable, "p_flags", elf::phdr::p_flags, p.flags);

    out.vaddr = p.vaddr;
    out.memsz = p.memsz;
    out.file_offset = p.offset;
    out.file_size = p.filesz;
    out.rights = ((p.flags & elf::pf_r) ? janus::abi::rights::read : 0) |
                 ((p.flags & elf::pf_w) ? janus::abi::rights::write : 0) |
                 ((p.flags & elf::pf_x) ? janus::abi::rights::exec : 0);
    return Ok{};
}

bool share_a_page(const Segment& a, const Segment& b) {
    return a.page_begin() < b.page_end() && b.page_begin() < a.page_end();
}

} // namespace

StringView to_string(ElfErrorKind k) {
    switch (k) {
    case ElfErrorKind::truncated:
        return "truncated";
    case ElfErrorKind::bad_ident:
        return "not an ELF64 little-endian System V image";
    case ElfErrorKind::bad_header:
        return "not an x86-64 static executable";
    case ElfErrorKind::bad_program_headers:
        return "bad program-header table";
    case ElfErrorKind::unsupported_segment:
        return "unsupported segment type";
    case ElfErrorKind::too_many_segments:
        return "too many loadable segments";
    case ElfErrorKind::bad_segment_size:
        return "impossible segment size";
    case ElfErrorKind::outside_image:
        return "segment outside the image";
    case ElfErrorKind::misaligned:
        return "misaligned segment";
    case ElfErrorKind::outside_user_space:
        return "segment outside user space";
    case ElfErrorKind::overlapping_segments:
        return "segments share a page";
    case ElfErrorKind::bad_flags:
        return "unknown segment flags";
    case ElfErrorKind::writable_and_executable:
        return "segment both writable and executable";
    case ElfErrorKind::no_segments:
        return "no loadable segment";
    case ElfErrorKind::bad_entry:
        return "entry point outside executable code";
    }
    return "?";
}

void put(Sink& s, const ElfError& e) {
    print_to(s, to_string(e.kind), ": ", e.field);
    if (e.header != ElfError::no_header) print_to(s, " of program header ", e.header);
    print_to(s, " at offset ", hex(e.offset), " (value ", hex(e.value), ")");
}

Result<Ok, ElfError> parse_elf(const std::byte* image, std::size_t size, ElfImage& out) {
    out.count = 0;
    out.entry = 0;
    const ByteView v(image, size, 0);
    if (image == nullptr || size < elf::ehdr::size)
        return fail(error(ElfErrorKind::truncated, "ELF header", 0, size));
    if (auto r = check_ident(v); !r) return r;
    if (auto r = check_header(v); !r) return r;

    std::uint64_t entry = 0, phoff = 0;
    std::uint16_t phnum = 0;
    (void)v.read(elf::ehdr::e_entry, entry);
    (void)v.read(elf::ehdr::e_phoff, phoff);
    (void)v.read(elf::ehdr::e_phnum, phnum);
    if (phnum == 0 || phnum > max_program_headers)
        return fail(error(ElfErrorKind::bad_program_headers, "e_phnum", elf::ehdr::e_phnum, phnum));
    // phnum <= 64, so the table's length is small; only phoff can be anything.
    std::uint64_t table = std::uint64_t{phnum} * elf::phdr::size;
    if (phoff > size || table > size - phoff)
        return fail(error(ElfErrorKind::bad_program_headers, "e_phoff", elf::ehdr::e_phoff, phoff));

    for (std::uint32_t i = 0; i < phnum; ++i) {
        std::size_t at = static_cast<std::size_t>(phoff) + i * elf::phdr::size;
        ByteView ph(nullptr, 0, 0);
        (void)v.sub(at, elf::phdr::size, ph); // inside the image: checked above
        std::uint32_t type = 0;
        (void)ph.read(elf::phdr::p_type, type);
        if (unsupported_type(type))
            return fail(error(ElfErrorKind::unsupported_segment, "p_type", at + elf::phdr::p_type, type, i));
        if (type != elf::pt_load) continue;
        if (out.count == ElfImage::max_segments)
            return fail(error(ElfErrorKind::too_many_segments, "p_type", at + elf::phdr::p_type, type, i));

        RawSegment p{};
        (void)ph.read(elf::phdr::p_flags, p.flags);
        (void)ph.read(elf::phdr::p_offset, p.offset);
        (void)ph.read(elf::phdr::p_vaddr, p.vaddr);
        (void)ph.read(elf::phdr::p_filesz, p.filesz);
        (void)ph.read(elf::phdr::p_memsz, p.memsz);
        (void)ph.read(elf::phdr::p_align, p.align);
        Segment s{};
        if (auto r = check_load(p, size, at, i, s); !r) return r;
        for (std::size_t j = 0; j < out.count; ++j)
            if (share_a_page(out.segments[j], s))
                return fail(error(ElfErrorKind::overlapping_segments, "p_vaddr", at + elf::phdr::p_vaddr,
                                  p.vaddr, i));
        out.segments[out.count++] = s;
    }
    if (out.count == 0) return fail(error(ElfErrorKind::no_segments, "e_phnum", elf::ehdr::e_phnum, phnum));

    for (const Segment& s : out)
        if ((s.rights & janus::abi::rights::exec) && entry >= s.vaddr && entry - s.vaddr < s.file_size) {
            out.entry = entry;
            return Ok{};
        }
    return fail(error(ElfErrorKind::bad_entry, "e_entry", elf::ehdr::e_entry, entry));
}

bool fill_page(const std::byte* image, std::size_t size, const Segment& s, std::uint64_t page_vaddr,
               std::byte* page) {
    for (std::size_t i = 0; i < page_size; ++i) page[i] = std::byte{0};
    // Re-check what parse_elf guaranteed, so a Segment from elsewhere cannot make the arithmetic below wrap.
    if (s.vaddr >= janus::abi::user_end || s.memsz > janus::abi::user_end - s.vaddr) return false;
    if (page_vaddr % page_size != 0 || page_vaddr < s.page_begin() || page_vaddr >= s.page_end())
        return false;
    if (s.file_offset > size || s.file_size > size - s.file_offset || s.file_size > s.memsz) return false;
    // The page's part of the segment's file bytes [s.vaddr, s.vaddr + s.file_size); all values are below
    // user_end or the image size, so nothing here overflows.
    std::uint64_t from = page_vaddr > s.vaddr ? page_vaddr : s.vaddr;
    std::uint64_t file_end = s.vaddr + s.file_size;
    std::uint64_t to = page_vaddr + page_size < file_end ? page_vaddr + page_size : file_end;
    for (std::uint64_t va = from; va < to; ++va)
        page[va - page_vaddr] = image[s.file_offset + (va - s.vaddr)];
    return true;
}

} // namespace kernel::loader
