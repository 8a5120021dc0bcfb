// An independent judge of parse_elf's results, for the property test and the fuzzer: it re-reads the image's
// program headers itself (offsets from the ELF-64 format, see elf_builder.hpp) and states what any accepted
// image must satisfy. Returns the first violation as text, or an empty string.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "kernel/abi/abi.hpp"
#include "kernel/loader/elf.hpp"
#include "kernel/loader/testing/elf_builder.hpp"

namespace kernel::loader::testing {

inline std::uint64_t read_le(const std::byte* p, std::size_t size, std::uint64_t at, std::size_t width) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < width; ++i)
        if (at + i < size) v |= std::uint64_t{static_cast<std::uint8_t>(p[at + i])} << (8 * i);
    return v;
}

/// What an accepted image must look like, re-derived from its bytes.
inline std::string check_accepted(const std::byte* p, std::size_t size, const ElfImage& img) {
    constexpr std::uint64_t page = 4096;
    const std::uint64_t user_end = janus::abi::user_end;
    if (size < layout::ehdr_size) return "accepted an image shorter than the ELF header";
    if (img.count == 0 || img.count > ElfImage::max_segments) return "segment count out of range";
    if (read_le(p, size, layout::e_entry, 8) != img.entry) return "entry differs from e_entry";
    // The segments are exactly the PT_LOAD headers, in order.
    std::uint64_t phoff = read_le(p, size, layout::e_phoff, 8);
    std::uint64_t phnum = read_le(p, size, layout::e_phnum, 2);
    if (phoff > size || phnum * layout::phdr_size > size - phoff) return "accepted a table outside the image";
    std::size_t k = 0;
    for (std::uint64_t i = 0; i < phnum; ++i) {
        std::uint64_t at = phoff + i * layout::phdr_size;
        std::uint64_t type = read_le(p, size, at + layout::p_type, 4);
        // Accepted types: PT_NULL, PT_LOAD, PT_NOTE, PT_PHDR and everything from PT_LOOS (0x60000000) up.
        if (type != 0 && type != 1 && type != 4 && type != 6 && type < 0x60000000)
            return "accepted program header " + std::to_string(i) + " of type " + std::to_string(type);
        if (type != 1) continue;
        if (k >= img.count) return "a PT_LOAD header is missing from the result";
        const Segment& s = img.segments[k++];
        std::uint64_t flags = read_le(p, size, at + layout::p_flags, 4);
        std::uint64_t expected_rights = ((flags & 4) ? janus::abi::rights::read : 0) |
                                        ((flags & 2) ? janus::abi::rights::write : 0) |
                                        ((flags & 1) ? janus::abi::rights::exec : 0);
        if (s.vaddr != read_le(p, size, at + layout::p_vaddr, 8) ||
            s.memsz != read_le(p, size, at + layout::p_memsz, 8) ||
            s.file_offset != read_le(p, size, at + layout::p_offset, 8) ||
            s.file_size != read_le(p, size, at + layout::p_filesz, 8) || s.rights != expected_rights)
            return "segment " + std::to_string(k - 1) + " differs from its program header";
    }
    if (k != img.count) return "more segments than PT_LOAD headers";
    bool entry_ok = false;
    for (std::size_t i = 0; i < img.count; ++i) {
        const Segment& s = img.segments[i];
        std::string at = "segment " + std::to_string(i) + ": ";
        if (s.memsz == 0 || s.file_size > s.memsz) return at + "sizes";
        if (s.file_offset > size || s.file_size > size - s.file_offset)
            return at + "file bytes outside the image";
        if (s.vaddr < page || s.vaddr >= user_end || s.memsz > user_end - s.vaddr)
            return at + "outside user space";
        if (s.vaddr % page != s.file_offset % page) return at + "not page congruent";
        if ((s.rights & ~(janus::abi::rights::read | janus::abi::rights::write | janus::abi::rights::exec)) !=
            0)
            return at + "rights beyond read/write/exec";
        if ((s.rights & janus::abi::rights::write) && (s.rights & janus::abi::rights::exec))
            return at + "writable and executable";
        for (std::size_t j = 0; j < i; ++j) {
            const Segment& o = img.segments[j];
            if (s.page_begin() < o.page_end() && o.page_begin() < s.page_end())
                return at + "shares a page with segment " + std::to_string(j);
        }
        if ((s.rights & janus::abi::rights::exec) && img.entry >= s.vaddr &&
            img.entry - s.vaddr < s.file_size)
            entry_ok = true;
    }
    if (!entry_ok) return "entry not in an executable segment's file bytes";
    return {};
}

/// What a refusal must look like: a known kind, a named field, a location inside the image.
inline std::string check_refused(std::size_t size, const ElfError& e) {
    if (static_cast<unsigned>(e.kind) > static_cast<unsigned>(ElfErrorKind::bad_entry)) return "unknown kind";
    if (e.field == nullptr || e.field[0] == '\0') return "no field named";
    if (e.kind == ElfErrorKind::truncated)
        return e.offset == 0 && e.value == size ? "" : "truncated: offset/value";
    if (e.offset >= size) return "error location outside the image";
    return {};
}

} // namespace kernel::loader::testing
