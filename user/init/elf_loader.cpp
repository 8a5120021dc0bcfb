#include "user/init/elf_loader.hpp"

#include "kernel/abi/abi.hpp"
#include "user/init/layout.hpp"
#include "user/lib/format.hpp"

namespace janus::init {

namespace {

namespace R = janus::abi::rights;
using janus::user::BufferSink;
using janus::user::print;
using layout::page;

// ELF-64 constants (System V gABI).
constexpr std::size_t ehdr_size = 64, phdr_size = 56;
constexpr unsigned char elfclass64 = 2, elfdata2lsb = 1, ev_current = 1, osabi_sysv = 0;
constexpr std::uint16_t et_exec = 2, em_x86_64 = 62;
constexpr std::uint32_t pt_load = 1, pt_dynamic = 2, pt_interp = 3, pt_shlib = 5, pt_tls = 7;
constexpr std::uint32_t pf_x = 1, pf_w = 2, pf_r = 4;

/// Little-endian reads at offsets the caller has checked against the file's size.
std::uint64_t read_le(const unsigned char* p, unsigned bytes) {
    std::uint64_t v = 0;
    for (unsigned i = bytes; i-- > 0;) v = v << 8 | p[i];
    return v;
}

/// Fills `why` and returns false, so a check reads `return refuse(why, "...", ...)`.
template <typename... A>
bool refuse(ElfRefusal& why, const char* format, const A&... args) {
    BufferSink sink(why.message, sizeof why.message - 1);
    print(sink, format, args...);
    why.message[sink.size()] = '\0';
    return false;
}

bool power_of_two(std::uint64_t v) {
    return v != 0 && (v & (v - 1)) == 0;
}

/// One program header's checks; on success `s` describes a PT_LOAD segment.
bool check_load(const unsigned char* ph, std::size_t index, std::size_t size, ElfSegment& s,
                ElfRefusal& why) {
    const std::uint64_t flags = read_le(ph + 4, 4);
    s.offset = read_le(ph + 8, 8);
    s.vaddr = read_le(ph + 16, 8);
    s.filesz = read_le(ph + 32, 8);
    s.memsz = read_le(ph + 40, 8);
    const std::uint64_t align = read_le(ph + 48, 8);

    if (s.memsz == 0) return refuse(why, "segment {}: empty (p_memsz 0)", index);
    if (s.filesz > s.memsz)
        return refuse(why, "segment {}: p_filesz {x} exceeds p_memsz {x}", index, s.filesz, s.memsz);
    if (s.offset > size || s.filesz > size - s.offset)
        return refuse(why, "segment {}: file bytes {x}+{x} outside the {}-byte file", index, s.offset,
                      s.filesz, size);
    if (align > 1 && !power_of_two(align))
        return refuse(why, "segment {}: p_align {x} not a power of two", index, align);
    if ((align > 1 && (s.vaddr - s.offset) % align != 0) || (s.vaddr - s.offset) % page != 0)
        return refuse(why, "segment {}: p_vaddr {x} and p_offset {x} disagree modulo the alignment", index,
                      s.vaddr, s.offset);
    if (s.vaddr < layout::image_begin || s.vaddr >= layout::image_end ||
        s.memsz > layout::image_end - s.vaddr)
        return refuse(why, "segment {}: {x}+{x} outside the component image window {x}..{x}", index, s.vaddr,
                      s.memsz, layout::image_begin, layout::image_end);
    if (flags & ~std::uint64_t{pf_r | pf_w | pf_x})
        return refuse(why, "segment {}: unknown flags {x}", index, flags);
    if (!(flags & pf_r)) return refuse(why, "segment {}: not readable (flags {x})", index, flags);
    if ((flags & pf_w) && (flags & pf_x)) return refuse(why, "segment {}: writable and executable", index);
    if ((flags & pf_x) && s.memsz != s.filesz)
        return refuse(why, "segment {}: executable with a zero-filled part (p_memsz {x} > p_filesz {x})",
                      index, s.memsz, s.filesz);

    s.rights = R::read | ((flags & pf_w) ? R::write : 0) | ((flags & pf_x) ? R::exec : 0);
    s.page_begin = s.vaddr & ~(page - 1);
    s.page_end = (s.vaddr + s.memsz + page - 1) & ~(page - 1); // no overflow: below image_end
    return true;
}

} // namespace

PageFill page_fill(const ElfSegment& s, std::uint64_t page_va) {
    const std::uint64_t lo = s.vaddr > page_va ? s.vaddr : page_va;
    const std::uint64_t file_end = s.vaddr + s.filesz, page_end = page_va + page;
    const std::uint64_t hi = file_end < page_end ? file_end : page_end;
    if (lo >= hi) return {0, 0, 0};
    return {s.offset + (lo - s.vaddr), lo - page_va, hi - lo};
}

bool check_elf(const unsigned char* file, std::size_t size, ElfProgram& out, ElfRefusal& why) {
    out.count = 0;
    out.entry = 0;
    if (file == nullptr || size < ehdr_size)
        return refuse(why, "truncated: {} bytes, an ELF64 header needs {}", size, ehdr_size);
    if (file[0] != 0x7f || file[1] != 'E' || file[2] != 'L' || file[3] != 'F')
        return refuse(why, "not an ELF file (no ELF magic)");
    if (file[4] != elfclass64 || file[5] != elfdata2lsb || file[6] != ev_current)
        return refuse(why, "not a little-endian ELF64 file of version 1 (class {}, data {}, version {})",
                      file[4], file[5], file[6]);
    if (file[7] != osabi_sysv || file[8] != 0)
        return refuse(why, "OS ABI {} version {}, expected System V (0) version 0", file[7], file[8]);
    const std::uint64_t type = read_le(file + 16, 2), machine = read_le(file + 18, 2);
    if (type != et_exec) return refuse(why, "e_type {}, expected a static executable (ET_EXEC, 2)", type);
    if (machine != em_x86_64) return refuse(why, "e_machine {}, expected x86-64 (62)", machine);
    if (read_le(file + 20, 4) != 1) return refuse(why, "e_version {}, expected 1", read_le(file + 20, 4));
    if (read_le(file + 52, 2) != ehdr_size)
        return refuse(why, "e_ehsize {}, expected 64", read_le(file + 52, 2));

    const std::uint64_t entry = read_le(file + 24, 8), phoff = read_le(file + 32, 8);
    const std::uint64_t phentsize = read_le(file + 54, 2), phnum = read_le(file + 56, 2);
    if (phentsize != phdr_size) return refuse(why, "e_phentsize {}, expected 56", phentsize);
    if (phnum == 0 || phnum > max_program_headers)
        return refuse(why, "{} program headers, expected 1..{}", phnum, max_program_headers);
    if (phoff > size || phnum * phdr_size > size - phoff)
        return refuse(why, "program headers {x}+{} outside the {}-byte file", phoff, phnum * phdr_size, size);

    for (std::uint64_t i = 0; i < phnum; ++i) {
        const unsigned char* ph = file + phoff + i * phdr_size;
        const std::uint64_t kind = read_le(ph, 4);
        if (kind == pt_dynamic || kind == pt_interp || kind == pt_shlib || kind == pt_tls)
            return refuse(why, "program header {}: type {} needs a dynamic linker or TLS, which init lacks",
                          i, kind);
        if (kind != pt_load) continue;
        if (out.count == ElfProgram::max_segments)
            return refuse(why, "more than {} loadable segments", ElfProgram::max_segments);
        ElfSegment& s = out.segments[out.count];
        if (!check_load(ph, i, size, s, why)) return false;
        for (std::size_t k = 0; k < out.count; ++k) {
            const ElfSegment& o = out.segments[k];
            if (s.page_begin < o.page_end && o.page_begin < s.page_end)
                return refuse(why, "segment {}: pages {x}..{x} overlap another segment's {x}..{x}", i,
                              s.page_begin, s.page_end, o.page_begin, o.page_end);
        }
        ++out.count;
    }
    if (out.count == 0) return refuse(why, "no loadable segment");

    for (std::size_t k = 0; k < out.count; ++k) {
        const ElfSegment& s = out.segments[k];
        if ((s.rights & R::exec) && entry >= s.vaddr && entry - s.vaddr < s.filesz) {
            out.entry = entry;
            return true;
        }
    }
    return refuse(why, "entry point {x} is not in an executable segment", entry);
}

} // namespace janus::init
