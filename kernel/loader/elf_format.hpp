// Field layout and constants of the ELF-64 object file format (System V gABI) that the loader reads.
// Offsets are from the start of the structure; all fields are little endian in an ELFDATA2LSB image.
#pragma once

#include <cstddef>
#include <cstdint>

namespace kernel::loader::elf {

// e_ident
inline constexpr std::size_t ei_class = 4, ei_data = 5, ei_version = 6, ei_osabi = 7, ei_abiversion = 8;
inline constexpr std::uint8_t magic[4] = {0x7f, 'E', 'L', 'F'};
inline constexpr std::uint8_t elfclass64 = 2;
inline constexpr std::uint8_t elfdata2lsb = 1;
inline constexpr std::uint8_t ev_current = 1;
inline constexpr std::uint8_t elfosabi_sysv = 0;

// Elf64_Ehdr
namespace ehdr {
inline constexpr std::size_t e_type = 16, e_machine = 18, e_version = 20, e_entry = 24, e_phoff = 32,
                             e_ehsize = 52, e_phentsize = 54, e_phnum = 56;
inline constexpr std::size_t size = 64;
} // namespace ehdr
inline constexpr std::uint16_t et_exec = 2;
inline constexpr std::uint16_t em_x86_64 = 62;

// Elf64_Phdr
namespace phdr {
inline constexpr std::size_t p_type = 0, p_flags = 4, p_offset = 8, p_vaddr = 16, p_filesz = 32, p_memsz = 40,
                             p_align = 48;
inline constexpr std::size_t size = 56;
} // namespace phdr

// p_type
inline constexpr std::uint32_t pt_null = 0, pt_load = 1, pt_dynamic = 2, pt_interp = 3, pt_note = 4,
                               pt_shlib = 5, pt_phdr = 6, pt_tls = 7;
inline constexpr std::uint32_t pt_loos = 0x60000000; ///< from here up: OS- and processor-specific types

// p_flags
inline constexpr std::uint32_t pf_x = 1, pf_w = 2, pf_r = 4;

} // namespace kernel::loader::elf
