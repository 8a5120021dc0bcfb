// Writes ELF64 images field by field for the loader's tests, the property test and the fuzzer's seeds.
//
// Independent of the loader: every offset and constant below is written out from the ELF-64 object file
// format (System V gABI), not taken from kernel/loader/elf_format.hpp, so a wrong offset there shows up as a
// failing test instead of agreeing with itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace kernel::loader::testing {

struct ProgramHeader {
    std::uint32_t type = 1;  // PT_LOAD
    std::uint32_t flags = 5; // PF_R | PF_X
    std::uint64_t offset = 0;
    std::uint64_t vaddr = 0;
    std::uint64_t paddr = 0;
    std::uint64_t filesz = 0;
    std::uint64_t memsz = 0;
    std::uint64_t align = 0x1000;
};

/// Byte offsets of the fields, per the ELF-64 format.
namespace layout {
// Elf64_Ehdr: e_ident[16], e_type u16, e_machine u16, e_version u32, e_entry u64, e_phoff u64, e_shoff u64,
// e_flags u32, e_ehsize u16, e_phentsize u16, e_phnum u16, e_shentsize u16, e_shnum u16, e_shstrndx u16.
inline constexpr std::size_t e_type = 16, e_machine = 18, e_version = 20, e_entry = 24, e_phoff = 32,
                             e_shoff = 40, e_flags = 48, e_ehsize = 52, e_phentsize = 54, e_phnum = 56,
                             e_shentsize = 58, e_shnum = 60, e_shstrndx = 62, ehdr_size = 64;
// Elf64_Phdr: p_type u32, p_flags u32, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align (u64 each).
inline constexpr std::size_t p_type = 0, p_flags = 4, p_offset = 8, p_vaddr = 16, p_paddr = 24, p_filesz = 32,
                             p_memsz = 40, p_align = 48, phdr_size = 56;
} // namespace layout

struct ElfBuilder {
    // e_ident: magic, ELFCLASS64, ELFDATA2LSB, EV_CURRENT, ELFOSABI_SYSV, ABI version 0, padding.
    std::uint8_t ident[16] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    std::uint16_t type = 2;     // ET_EXEC
    std::uint16_t machine = 62; // EM_X86_64
    std::uint32_t version = 1;
    std::uint64_t entry = 0;
    std::uint64_t phoff = layout::ehdr_size; ///< where the headers are written (and e_phoff, by default)
    std::uint64_t phoff_value = ~std::uint64_t{0}; ///< e_phoff if not ~0: a table pointer that lies
    std::uint16_t ehsize = 64;
    std::uint16_t phentsize = 56;
    int phnum = -1; ///< -1: the number of headers below
    std::vector<ProgramHeader> headers;
    std::size_t size = 0; ///< total image size; grown to fit headers and contents
    /// Bytes written at given offsets after the headers (segment contents).
    std::vector<std::pair<std::size_t, std::vector<std::uint8_t>>> contents;

    std::size_t header_offset(std::size_t i) const { return phoff + i * layout::phdr_size; }

    std::vector<std::byte> build() const {
        std::size_t n = headers.size();
        std::size_t need = layout::ehdr_size;
        if (phoff + n * layout::phdr_size > need) need = phoff + n * layout::phdr_size;
        for (auto& [off, bytes] : contents)
            if (off + bytes.size() > need) need = off + bytes.size();
        std::vector<std::byte> out(size > need ? size : need);
        for (std::size_t i = 0; i < 16; ++i) out[i] = std::byte{ident[i]};
        put(out, layout::e_type, type, 2);
        put(out, layout::e_machine, machine, 2);
        put(out, layout::e_version, version, 4);
        put(out, layout::e_entry, entry, 8);
        put(out, layout::e_phoff, phoff_value == ~std::uint64_t{0} ? phoff : phoff_value, 8);
        put(out, layout::e_ehsize, ehsize, 2);
        put(out, layout::e_phentsize, phentsize, 2);
        put(out, layout::e_phnum, phnum < 0 ? n : static_cast<std::uint64_t>(phnum), 2);
        for (std::size_t i = 0; i < n; ++i) {
            const ProgramHeader& h = headers[i];
            std::size_t at = header_offset(i);
            put(out, at + layout::p_type, h.type, 4);
            put(out, at + layout::p_flags, h.flags, 4);
            put(out, at + layout::p_offset, h.offset, 8);
            put(out, at + layout::p_vaddr, h.vaddr, 8);
            put(out, at + layout::p_paddr, h.paddr, 8);
            put(out, at + layout::p_filesz, h.filesz, 8);
            put(out, at + layout::p_memsz, h.memsz, 8);
            put(out, at + layout::p_align, h.align, 8);
        }
        for (auto& [off, bytes] : contents)
            for (std::size_t i = 0; i < bytes.size(); ++i) out[off + i] = std::byte{bytes[i]};
        return out;
    }

    /// Little-endian store of `width` bytes, skipped where it would not fit (a deliberately short image).
    static void put(std::vector<std::byte>& out, std::size_t at, std::uint64_t v, std::size_t width) {
        for (std::size_t i = 0; i < width; ++i)
            if (at + i < out.size()) out[at + i] = std::byte{static_cast<std::uint8_t>(v >> (8 * i))};
    }
};

/// Text of the good image: 0x100 bytes counting up from 0x10, at file offset 0x100, vaddr 0x400100.
inline std::vector<std::uint8_t> text_bytes() {
    std::vector<std::uint8_t> t(0x100);
    for (std::size_t i = 0; i < t.size(); ++i) t[i] = static_cast<std::uint8_t>(0x10 + i);
    return t;
}
/// Data of the good image: 0x80 bytes of 0xd0 + i, at file offset 0x200, vaddr 0x401200, then 0x2000 - 0x80
/// bytes of zero-filled tail (bss).
inline std::vector<std::uint8_t> data_bytes() {
    std::vector<std::uint8_t> d(0x80);
    for (std::size_t i = 0; i < d.size(); ++i) d[i] = static_cast<std::uint8_t>(0xd0 + i);
    return d;
}

/// A small valid executable: a read+execute text segment and a read+write data segment with bss, entry at
/// the start of the text. Tests mutate it one field at a time.
inline ElfBuilder good_image() {
    ElfBuilder b;
    b.entry = 0x400100;
    ProgramHeader text;
    text.flags = 5; // R X
    text.offset = 0x100;
    text.vaddr = text.paddr = 0x400100;
    text.filesz = text.memsz = 0x100;
    ProgramHeader data;
    data.flags = 6; // R W
    data.offset = 0x200;
    data.vaddr = data.paddr = 0x401200;
    data.filesz = 0x80;
    data.memsz = 0x2000;
    b.headers = {text, data};
    b.contents = {{0x100, text_bytes()}, {0x200, data_bytes()}};
    return b;
}

} // namespace kernel::loader::testing
