// A user-level ELF64 loader's first half: checking a component's ELF file, which is untrusted (a boot module
// anybody could have put on the boot medium), and describing what to map.
//
// check_elf reads the bytes only through bounds-checked little-endian reads and either fills an ElfProgram
// (the loadable segments and the entry point) or an ElfRefusal naming the first problem, never reading out of
// bounds or overflowing an address computation. The mapping itself (copying data, mapping text) is init's
// (component.cpp); it relies on everything checked here.
//
// Accepted (System V gABI, ELF-64 object file format), stricter where init needs it:
//  * ident: ELF magic, ELFCLASS64, ELFDATA2LSB, EV_CURRENT, OS ABI System V (0) version 0;
//  * e_type ET_EXEC (static, not position-independent), e_machine EM_X86_64, e_version 1, e_ehsize 64,
//    e_phentsize 56, 1..max_program_headers program headers inside the file;
//  * 1..ElfProgram::max_segments PT_LOAD segments, each with p_memsz > 0, p_filesz <= p_memsz, its file bytes
//    inside the file, p_align 0, 1 or a power of two with p_vaddr = p_offset (mod p_align) and (mod 4 KiB),
//    its pages inside [layout::image_begin, layout::image_end) (page 0 stays unmapped; init's windows above);
//  * no two segments touch the same page (each page gets exactly one segment's rights);
//  * flags R, W, X only, at least R, never W with X; an executable segment has no zero-filled part
//    (p_memsz = p_filesz): its pages are the module's own pages, mapped onwards (init cannot make executable
//    memory of its own);
//  * no PT_DYNAMIC, PT_INTERP, PT_SHLIB or PT_TLS; other types (PT_NOTE, PT_PHDR, PT_GNU_STACK, ...) ignored;
//  * the entry point inside the file bytes of an executable segment.
#pragma once

#include <cstddef>
#include <cstdint>

namespace janus::init {

struct ElfSegment {
    std::uint64_t vaddr;      ///< first byte in the component's address space
    std::uint64_t memsz;      ///< bytes in memory (> 0)
    std::uint64_t offset;     ///< first initialised byte in the file
    std::uint64_t filesz;     ///< initialised bytes (<= memsz); the rest is zero
    std::uint64_t rights;     ///< janus::abi::rights read | write | exec, never write with exec
    std::uint64_t page_begin; ///< first page touched (page aligned)
    std::uint64_t page_end;   ///< one past the last page touched (page aligned)
};

struct ElfProgram {
    static constexpr std::size_t max_segments = 8;
    ElfSegment segments[max_segments];
    std::size_t count;
    std::uint64_t entry;
};

/// Why a file was refused: NUL-terminated English text without a trailing newline.
struct ElfRefusal {
    char message[112];
};

inline constexpr std::size_t max_program_headers = 64;

/// The part of segment `s`'s file bytes that lies in its page at `page_va`: `length` bytes from file offset
/// `file_offset` go to `page_offset` in that page; the rest of the page is zero (length 0: all of it).
struct PageFill {
    std::uint64_t file_offset, page_offset, length;
};
PageFill page_fill(const ElfSegment& s, std::uint64_t page_va);

/// Checks the `size` bytes at `file`; true and `out` filled when init can load it, false and `why` filled
/// otherwise (out is then unspecified).
bool check_elf(const unsigned char* file, std::size_t size, ElfProgram& out, ElfRefusal& why);

} // namespace janus::init
