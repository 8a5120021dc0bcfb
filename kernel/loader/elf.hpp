// A validating loader for ELF64 executables given to the kernel as boot modules (the root task).
//
// The image is untrusted input. parse_elf reads it only through bounds-checked little-endian reads, checks
// every field the kernel relies on (ELF-64 object file format / System V gABI layout) and yields either the
// loadable segments and entry point, or an ElfError naming the first thing wrong: its kind, the field, where
// it is in the image and its value. Nothing in an image can make it read out of bounds, trip an assertion or
// overflow an address computation.
//
// What the kernel accepts (stricter than the gABI where the kernel needs it):
//  * ELF64, little endian, ident version 1, OS ABI System V (0) with ABI version 0; e_type ET_EXEC (static,
//    not position-independent), e_machine EM_X86_64, e_version 1, e_ehsize 64, e_phentsize 56;
//  * 1..max_segments PT_LOAD segments, each non-empty with p_filesz <= p_memsz, its file bytes inside the
//    image, p_align 0, 1 or a power of two with p_vaddr = p_offset (mod p_align) and (mod the 4 KiB page),
//    [p_vaddr, p_vaddr + p_memsz) inside [page_size, janus::abi::user_end) (page 0 stays unmapped);
//  * no two segments share a page: each page is mapped with exactly one segment's rights;
//  * flags only R, W, X, and never W together with X;
//  * no PT_DYNAMIC, PT_INTERP, PT_SHLIB or PT_TLS (nothing in the kernel would honour them); PT_NULL,
//  PT_NOTE,
//    PT_PHDR and OS- or processor-specific types (PT_GNU_STACK, ...) are ignored;
//  * the entry point lies in the file bytes of an executable segment.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel/abi/abi.hpp"
#include "kernel/lib/print.hpp"
#include "kernel/lib/result.hpp"

namespace kernel::loader {

inline constexpr std::uint64_t page_size = janus::abi::page_bytes;

struct Segment {
    std::uint64_t vaddr;       ///< first byte in the user address space
    std::uint64_t memsz;       ///< bytes in memory, > 0
    std::uint64_t file_offset; ///< where its initialised bytes start in the image
    std::uint64_t file_size;   ///< initialised bytes (<= memsz); the rest is zero
    std::uint64_t rights;      ///< janus::abi::rights read / write / exec, never write with exec

    /// The pages the segment touches: [page_begin, page_end), page aligned.
    std::uint64_t page_begin() const { return vaddr & ~(page_size - 1); }
    std::uint64_t page_end() const { return (vaddr + memsz + page_size - 1) & ~(page_size - 1); }
};

/// A validated executable: segments in program-header order, and the entry point.
struct ElfImage {
    static constexpr std::size_t max_segments = 16;

    Segment segments[max_segments];
    std::size_t count = 0;
    std::uint64_t entry = 0;

    const Segment* begin() const { return segments; }
    const Segment* end() const { return segments + count; }
};

enum class ElfErrorKind : std::uint8_t {
    truncated,               ///< the image ends inside the ELF header
    bad_ident,               ///< not an ELF64 little-endian System V image of ident version 1
    bad_header,              ///< e_type, e_machine, e_version or a header size is not an x86-64 executable's
    bad_program_headers,     ///< the program-header table is empty, too long or outside the image
    unsupported_segment,     ///< a segment type that needs what the kernel does not provide
    too_many_segments,       ///< more loadable segments than ElfImage holds
    bad_segment_size,        ///< an empty segment, or p_filesz > p_memsz
    outside_image,           ///< a segment's file bytes extend past the end of the image
    misaligned,              ///< p_align not a power of two, or p_vaddr and p_offset not congruent
    outside_user_space,      ///< a segment reaches page 0, user_end or beyond, or wraps around
    overlapping_segments,    ///< two segments touch the same page
    bad_flags,               ///< flag bits other than R, W, X
    writable_and_executable, ///< a segment is both writable and executable
    no_segments,             ///< nothing to load
    bad_entry,               ///< the entry point is not in an executable segment's file bytes
};

StringView to_string(ElfErrorKind k);

struct ElfError {
    static constexpr std::uint32_t no_header = 0xffffffff;

    ElfErrorKind kind;
    const char* field;    ///< the field concerned, e.g. "p_filesz"
    std::uint64_t offset; ///< byte offset of that field in the image
    std::uint64_t value;  ///< the offending value
    std::uint32_t header; ///< index of the program header concerned, or no_header
};

/// "<kind>: <field> [of program header N] at offset 0x.. (value 0x..)"
void put(Sink& s, const ElfError& e);

/// Validate `image` (`size` bytes) and describe it in `out`. On error, `out` holds no meaning.
Result<Ok, ElfError> parse_elf(const std::byte* image, std::size_t size, ElfImage& out);

/// Fill `page` (page_size bytes) with the contents the user page at `page_vaddr` must start with for segment
/// `s`: the segment's file bytes where it has them, zero everywhere else (its zero-filled tail, and the parts
/// of the page outside the segment). `s` must come from parse_elf of the same image; false (and a zeroed
/// page) if it does not fit it or page_vaddr is not a page of the segment.
bool fill_page(const std::byte* image, std::size_t size, const Segment& s, std::uint64_t page_vaddr,
               std::byte* page);

} // namespace kernel::loader
