// Builds multiboot2 boot information images byte by byte from the Multiboot2 specification (section 3.6), for
// tests and fuzz seeds (host only). Nothing here is shared with the parser under test.
//
//   fixed part: u32 total_size, u32 reserved
//   tags:       u32 type, u32 size (header + payload, without padding), payload; each tag starts 8-aligned
//   end:        type 0, size 8
//
// Tags are kept in order; build() lays them out with padding, appends the end tag (unless told not to) and
// fills total_size with the image length. Tests that need lies (wrong sizes, no end tag) use raw_tag() with a
// declared size, or patch the built bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace kernel::boot::testing {

using Bytes = std::vector<std::byte>;

inline void append_le(Bytes& b, std::uint64_t v, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) b.push_back(static_cast<std::byte>(v >> (8 * i)));
}
inline void append_u8(Bytes& b, std::uint8_t v) {
    append_le(b, v, 1);
}
inline void append_u16(Bytes& b, std::uint16_t v) {
    append_le(b, v, 2);
}
inline void append_u32(Bytes& b, std::uint32_t v) {
    append_le(b, v, 4);
}
inline void append_u64(Bytes& b, std::uint64_t v) {
    append_le(b, v, 8);
}
inline void append_str(Bytes& b, std::string_view s, bool nul = true) {
    for (char c : s) b.push_back(static_cast<std::byte>(c));
    if (nul) b.push_back(std::byte{0});
}
inline void patch_u32(Bytes& b, std::size_t off, std::uint32_t v) {
    for (std::size_t i = 0; i < 4; ++i) b.at(off + i) = static_cast<std::byte>(v >> (8 * i));
}
inline void patch_u64(Bytes& b, std::size_t off, std::uint64_t v) {
    for (std::size_t i = 0; i < 8; ++i) b.at(off + i) = static_cast<std::byte>(v >> (8 * i));
}

/// Tag type numbers of the specification.
namespace mb2_tag {
inline constexpr std::uint32_t end = 0, cmdline = 1, loader_name = 2, module = 3, basic_meminfo = 4,
                               bootdev = 5, mmap = 6, vbe = 7, framebuffer = 8, elf_sections = 9, apm = 10,
                               efi32 = 11, efi64 = 12, smbios = 13, acpi_old = 14, acpi_new = 15,
                               network = 16, efi_mmap = 17, efi_bs = 18, efi32_ih = 19, efi64_ih = 20,
                               load_base_addr = 21;
}

/// e820 / multiboot2 memory-map type numbers.
namespace e820 {
inline constexpr std::uint32_t usable = 1, reserved = 2, acpi_reclaimable = 3, acpi_nvs = 4, bad = 5;
}

struct Mb2MmapEntry {
    std::uint64_t base;
    std::uint64_t length;
    std::uint32_t type;
};

class Mb2Builder {
public:
    /// Payload bytes become a tag of size 8 + payload.size(), or `declared_size` if given (a lie, for tests).
    Mb2Builder& raw_tag(std::uint32_t type, Bytes payload, std::int64_t declared_size = -1) {
        tags_.push_back({type, std::move(payload), declared_size});
        return *this;
    }

    Mb2Builder& cmdline(std::string_view s) { return string_tag(mb2_tag::cmdline, s); }
    Mb2Builder& loader_name(std::string_view s) { return string_tag(mb2_tag::loader_name, s); }
    Mb2Builder& string_tag(std::uint32_t type, std::string_view s) {
        Bytes p;
        append_str(p, s);
        return raw_tag(type, std::move(p));
    }

    Mb2Builder& module(std::uint32_t mod_start, std::uint32_t mod_end, std::string_view s) {
        Bytes p;
        append_u32(p, mod_start);
        append_u32(p, mod_end);
        append_str(p, s);
        return raw_tag(mb2_tag::module, std::move(p));
    }

    Mb2Builder& basic_meminfo(std::uint32_t lower_kib, std::uint32_t upper_kib) {
        Bytes p;
        append_u32(p, lower_kib);
        append_u32(p, upper_kib);
        return raw_tag(mb2_tag::basic_meminfo, std::move(p));
    }

    /// Memory map; entries longer than 24 bytes (a later entry_version) are padded with 0xee bytes.
    Mb2Builder& mmap(const std::vector<Mb2MmapEntry>& entries, std::uint32_t entry_size = 24,
                     std::uint32_t entry_version = 0) {
        Bytes p;
        append_u32(p, entry_size);
        append_u32(p, entry_version);
        for (const Mb2MmapEntry& e : entries) {
            std::size_t start = p.size();
            append_u64(p, e.base);
            append_u64(p, e.length);
            append_u32(p, e.type);
            append_u32(p, 0);
            while (p.size() - start < entry_size) p.push_back(std::byte{0xee});
        }
        return raw_tag(mb2_tag::mmap, std::move(p));
    }

    /// framebuffer_common: u64 addr, u32 pitch, u32 width, u32 height, u8 bpp, u8 type, u16 reserved (the
    /// specification's multiboot2.h; GRUB writes exactly this), then the colour information.
    static void framebuffer_common(Bytes& p, std::uint64_t addr, std::uint32_t pitch, std::uint32_t width,
                                   std::uint32_t height, std::uint8_t bpp, std::uint8_t type) {
        append_u64(p, addr);
        append_u32(p, pitch);
        append_u32(p, width);
        append_u32(p, height);
        append_u8(p, bpp);
        append_u8(p, type);
        append_u16(p, 0);
    }
    Mb2Builder& framebuffer_rgb(std::uint64_t addr, std::uint32_t pitch, std::uint32_t width,
                                std::uint32_t height, std::uint8_t bpp, const std::uint8_t (&fields)[6]) {
        Bytes p;
        framebuffer_common(p, addr, pitch, width, height, bpp, 1);
        for (std::uint8_t f : fields) append_u8(p, f);
        return raw_tag(mb2_tag::framebuffer, std::move(p));
    }
    Mb2Builder& framebuffer_indexed(std::uint64_t addr, std::uint32_t pitch, std::uint32_t width,
                                    std::uint32_t height, std::uint8_t bpp, std::uint16_t colours) {
        Bytes p;
        framebuffer_common(p, addr, pitch, width, height, bpp, 0);
        append_u16(p, colours);
        for (std::uint16_t i = 0; i < colours; ++i) {
            append_u8(p, static_cast<std::uint8_t>(i));
            append_u8(p, static_cast<std::uint8_t>(i * 3));
            append_u8(p, static_cast<std::uint8_t>(i * 7));
        }
        return raw_tag(mb2_tag::framebuffer, std::move(p));
    }
    Mb2Builder& framebuffer_ega_text(std::uint64_t addr, std::uint32_t columns, std::uint32_t rows) {
        Bytes p;
        framebuffer_common(p, addr, columns * 2, columns, rows, 16, 2);
        return raw_tag(mb2_tag::framebuffer, std::move(p));
    }

    /// A copy of an RSDP: 20 bytes for ACPI 1.0 (tag 14), 36 for ACPI 2.0+ (tag 15). Content is arbitrary.
    Mb2Builder& acpi_old() { return raw_tag(mb2_tag::acpi_old, rsdp_copy(20)); }
    Mb2Builder& acpi_new() { return raw_tag(mb2_tag::acpi_new, rsdp_copy(36)); }

    Mb2Builder& end_tag(bool present) {
        with_end_ = present;
        return *this;
    }

    /// The image. total_size is its length (the end tag included).
    Bytes build() {
        Bytes b;
        append_u32(b, 0); // total_size, patched below
        append_u32(b, 0); // reserved
        offsets_.clear();
        for (const Tag& t : tags_) {
            offsets_.push_back(b.size());
            append_u32(b, t.type);
            append_u32(b, t.declared_size >= 0 ? static_cast<std::uint32_t>(t.declared_size)
                                               : static_cast<std::uint32_t>(8 + t.payload.size()));
            b.insert(b.end(), t.payload.begin(), t.payload.end());
            while (b.size() % 8) b.push_back(std::byte{0});
        }
        if (with_end_) {
            offsets_.push_back(b.size());
            append_u32(b, mb2_tag::end);
            append_u32(b, 8);
        }
        patch_u32(b, 0, static_cast<std::uint32_t>(b.size()));
        return b;
    }

    /// Offset in the last built image of tag `i` (in the order added; the end tag comes last).
    std::size_t offset(std::size_t i) const { return offsets_.at(i); }

private:
    struct Tag {
        std::uint32_t type;
        Bytes payload;
        std::int64_t declared_size;
    };

    static Bytes rsdp_copy(std::size_t n) {
        Bytes p;
        append_str(p, "RSD PTR ", false);
        while (p.size() < n) p.push_back(static_cast<std::byte>(p.size()));
        return p;
    }

    std::vector<Tag> tags_;
    std::vector<std::size_t> offsets_;
    bool with_end_ = true;
};

} // namespace kernel::boot::testing
