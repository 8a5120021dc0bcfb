// Multiboot2 boot information (GRUB). Layout per the Multiboot2 specification, section 3.6:
// u32 total_size, u32 reserved, then 8-byte aligned tags {u32 type, u32 size, payload}, ending with type 0.
#include "kernel/boot/bootinfo.hpp"
#include "kernel/boot/byte_reader.hpp"

namespace kernel::boot {

namespace {

/// Larger than any real loader's information (GRUB's, with an EFI memory map, is a few KiB).
constexpr std::uint32_t max_total_size = 1u << 20;
constexpr std::size_t max_raw_regions = 256;
/// Lower memory (basic memory information) is at most 640 KiB by the specification; above lie video memory
/// and the BIOS, which a larger claim must not turn into usable RAM.
constexpr std::uint32_t max_lower_kib = 640;

enum Tag : std::uint32_t {
    end = 0,
    cmdline = 1,
    loader_name = 2,
    module = 3,
    basic_meminfo = 4,
    mmap = 6,
    framebuffer = 8,
    acpi_old = 14,
    acpi_new = 15,
};

struct Parser {
    Parser(ByteView v, BootInfo& o) : info(v), out(o) {}

    ByteView info;
    BootInfo& out;
    RawRegion raw[max_raw_regions];
    std::size_t raw_count = 0;
    std::uint32_t mem_lower_kib = 0, mem_upper_kib = 0;
    bool have_basic = false;

    BootError error(BootErrorKind kind, const char* what, std::size_t offset, std::uint64_t value) const {
        return {kind, what, info.pa_at(offset), value};
    }

    Result<Ok, BootError> string_tag(const ByteView& tag, std::size_t off, char* dst, std::size_t cap,
                                     const char* what) const {
        if (!tag.copy_string(8, dst, cap))
            return fail(error(BootErrorKind::unterminated, what, off + 8, tag.size()));
        return Ok{};
    }

    Result<Ok, BootError> memory_map(const ByteView& tag, std::size_t off) {
        std::uint32_t entry_size = 0, entry_version = 0;
        if (tag.size() < 16 || !tag.read(8, entry_size) || !tag.read(12, entry_version))
            return fail(error(BootErrorKind::bad_size, "multiboot2 memory map tag", off, tag.size()));
        if (entry_size < 24 || entry_size % 8 != 0) {
            return fail(
                error(BootErrorKind::bad_size, "multiboot2 memory map entry_size", off + 8, entry_size));
        }
        // The entries fill the tag exactly; a cut-off last entry means the size or entry_size is wrong.
        if ((tag.size() - 16) % entry_size != 0)
            return fail(error(BootErrorKind::bad_size, "multiboot2 memory map size", off + 4, tag.size()));
        for (std::size_t e = 16; e + entry_size <= tag.size(); e += entry_size) {
            if (raw_count == max_raw_regions) {
                return fail(
                    error(BootErrorKind::too_many_entries, "multiboot2 memory map", off, raw_count + 1));
            }
            RawRegion& r = raw[raw_count];
            if (!tag.read(e, r.base) || !tag.read(e + 8, r.size) || !tag.read(e + 16, r.e820_type)) {
                return fail(
                    error(BootErrorKind::bad_size, "multiboot2 memory map entry", off + e, entry_size));
            }
            if (r.size > ~std::uint64_t{0} - r.base) {
                return fail(
                    error(BootErrorKind::bad_range, "multiboot2 memory map entry wraps", off + e, r.base));
            }
            ++raw_count;
        }
        return Ok{};
    }

    Result<Ok, BootError> module_tag(const ByteView& tag, std::size_t off) {
        std::uint32_t start = 0, stop = 0;
        if (tag.size() < 17 || !tag.read(8, start) || !tag.read(12, stop))
            return fail(error(BootErrorKind::bad_size, "multiboot2 module tag", off, tag.size()));
        if (stop < start) {
            return fail(
                error(BootErrorKind::bad_range, "multiboot2 module ends before it starts", off + 12, stop));
        }
        if (out.module_count == BootInfo::max_modules) {
            return fail(
                error(BootErrorKind::too_many_entries, "multiboot2 modules", off, out.module_count + 1));
        }
        Module& m = out.modules[out.module_count];
        m.base = start;
        m.size = stop - start;
        if (!tag.copy_string(16, m.name, sizeof m.name))
            return fail(error(BootErrorKind::unterminated, "multiboot2 module string", off + 16, tag.size()));
        ++out.module_count;
        return Ok{};
    }

    Result<Ok, BootError> framebuffer_tag(const ByteView& tag, std::size_t off) {
        Framebuffer fb;
        std::uint8_t type = 0;
        if (tag.size() < 31 || !tag.read(8, fb.address) || !tag.read(16, fb.pitch) ||
            !tag.read(20, fb.width) || !tag.read(24, fb.height) || !tag.read(28, fb.bpp) ||
            !tag.read(29, type))
            return fail(error(BootErrorKind::bad_size, "multiboot2 framebuffer tag", off, tag.size()));
        switch (type) {
        case 0:
            fb.kind = Framebuffer::Kind::indexed;
            break;
        case 1:
            fb.kind = Framebuffer::Kind::rgb;
            if (!tag.read(32, fb.red_shift) || !tag.read(33, fb.red_bits) || !tag.read(34, fb.green_shift) ||
                !tag.read(35, fb.green_bits) || !tag.read(36, fb.blue_shift) || !tag.read(37, fb.blue_bits)) {
                return fail(
                    error(BootErrorKind::bad_size, "multiboot2 RGB framebuffer tag", off, tag.size()));
            }
            break;
        case 2:
            fb.kind = Framebuffer::Kind::ega_text;
            break;
        default:
            return Ok{}; // unknown kinds are ignored: the screen is optional
        }
        out.framebuffer = fb;
        return Ok{};
    }

    Result<Ok, BootError> tag(std::uint32_t type, const ByteView& tag, std::size_t off) {
        switch (type) {
        case cmdline:
            return string_tag(tag, off, out.cmdline, sizeof out.cmdline, "multiboot2 command line");
        case loader_name:
            return string_tag(tag, off, out.loader_name, sizeof out.loader_name, "multiboot2 loader name");
        case module:
            return module_tag(tag, off);
        case basic_meminfo:
            if (tag.size() < 16 || !tag.read(8, mem_lower_kib) || !tag.read(12, mem_upper_kib))
                return fail(error(BootErrorKind::bad_size, "multiboot2 basic memory tag", off, tag.size()));
            have_basic = true;
            return Ok{};
        case mmap:
            return memory_map(tag, off);
        case framebuffer:
            return framebuffer_tag(tag, off);
        case acpi_old:
        case acpi_new:
            // The tag holds a copy of the RSDP; its address inside the information is what the kernel keeps.
            if (tag.size() < 8 + 20)
                return fail(error(BootErrorKind::bad_size, "multiboot2 ACPI RSDP tag", off, tag.size()));
            if (type == acpi_new || out.acpi_rsdp == 0) out.acpi_rsdp = tag.pa_at(8);
            return Ok{};
        default:
            return Ok{}; // tags the kernel does not use are skipped by their size
        }
    }

    Result<Ok, BootError> run() {
        std::size_t off = 8;
        for (;;) {
            std::uint32_t type = 0, size = 0;
            if (!info.read(off, type) || !info.read(off + 4, size))
                return fail(error(BootErrorKind::missing_end_tag, "multiboot2 tag list", off, info.size()));
            if (size < 8 || size > info.size() - off)
                return fail(error(BootErrorKind::bad_size, "multiboot2 tag size", off + 4, size));
            if (type == end) break;
            ByteView t = info;
            info.sub(off, size, t);
            if (auto r = tag(type, t, off); !r) return r;
            off += (static_cast<std::size_t>(size) + 7) & ~std::size_t{7};
        }
        if (raw_count == 0 && have_basic) {
            // No memory map entries: fall back to the basic lower/upper memory sizes (from 0 and from 1 MiB).
            std::uint32_t lower = mem_lower_kib < max_lower_kib ? mem_lower_kib : max_lower_kib;
            raw[raw_count++] = {0, std::uint64_t{lower} * 1024, 1};
            raw[raw_count++] = {1u << 20, std::uint64_t{mem_upper_kib} * 1024, 1};
        } else if (raw_count == 0) {
            return fail(error(BootErrorKind::no_memory_map, "multiboot2 information", 0, 0));
        }
        return normalise_memory_map(raw, raw_count, out.memory);
    }
};

} // namespace

Result<Ok, BootError> parse_multiboot2(PhysReader& mem, std::uint64_t info_pa, BootInfo& out) {
    out = BootInfo{};
    out.protocol = Protocol::multiboot2;
    if (info_pa % 8 != 0)
        return fail(BootError{BootErrorKind::bad_alignment, "multiboot2 information", info_pa, info_pa});
    const std::byte* head = mem.read(info_pa, 8);
    if (!head) return fail(BootError{BootErrorKind::unreadable, "multiboot2 information", info_pa, 8});
    std::uint32_t total = 0;
    ByteView(head, 8, info_pa).read(0, total);
    if (total < 16 || total > max_total_size)
        return fail(BootError{BootErrorKind::bad_size, "multiboot2 total_size", info_pa, total});
    const std::byte* all = mem.read(info_pa, total);
    if (!all) return fail(BootError{BootErrorKind::unreadable, "multiboot2 information", info_pa, total});

    // About 6 KiB of scratch for raw regions: the boot stack is sized for it (arch/x86_64/boot).
    Parser parser(ByteView(all, total, info_pa), out);
    return parser.run();
}

} // namespace kernel::boot
