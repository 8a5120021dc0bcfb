// Writes the seed inputs of fuzz/corpus/bootinfo/ (format: see bootinfo_fuzz.cpp), built with the test-only
// builders from the specifications: typical GRUB and QEMU layouts plus edge cases that each stop one check.
//
//   bootinfo_seeds <directory>        (built in the fuzz preset; the files are committed)
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "kernel/boot/testing/fake_phys.hpp"
#include "kernel/boot/testing/multiboot2_builder.hpp"
#include "kernel/boot/testing/pvh_builder.hpp"

namespace {

using namespace kernel::boot::testing;

constexpr std::uint64_t pvh_window_base = 0x100000; // as in bootinfo_fuzz.cpp
constexpr std::size_t pvh_window_size = 0x800;

const std::vector<Mb2MmapEntry> qemu_map = {
    {0x0, 0x9fc00, e820::usable},         {0x9fc00, 0x400, e820::reserved},
    {0xf0000, 0x10000, e820::reserved},   {0x100000, 0x7ee0000, e820::usable},
    {0x7fe0000, 0x20000, e820::reserved}, {0xfffc0000, 0x40000, e820::reserved},
};

std::vector<PvhMemmapEntry> qemu_pvh_map() {
    std::vector<PvhMemmapEntry> v;
    for (const Mb2MmapEntry& e : qemu_map)
        v.push_back({e.base, e.length, e.type == 1 ? hvm_memmap::ram : hvm_memmap::reserved});
    return v;
}

void save(const std::string& dir, const std::string& name, std::uint8_t mode, const Bytes& body) {
    std::ofstream f(dir + "/" + name, std::ios::binary);
    f.put(static_cast<char>(mode));
    f.write(reinterpret_cast<const char*>(body.data()), static_cast<std::streamsize>(body.size()));
}

void save_mb2(const std::string& dir, const std::string& name, const Bytes& info) {
    save(dir, name, 0, info);
}

/// PVH images live in a small window at pvh_window_base with start_info first.
void save_pvh(const std::string& dir, const std::string& name, PvhImage image) {
    image.start_info_pa = pvh_window_base;
    image.modlist_pa = pvh_window_base + 0x40;
    image.memmap_pa = pvh_window_base + 0x100;
    image.strings_pa = pvh_window_base + 0x400;
    FakePhys mem(pvh_window_base, pvh_window_size);
    image.write_to(mem);
    // The input holds the window up to the end of the last structure; what lies beyond is outside it.
    std::uint64_t end = image.memmap_pa + hvm_memmap_entry_size * image.memmap.size();
    std::uint64_t strings = image.strings_pa;
    if (image.cmdline) strings += image.cmdline->size() + 1;
    for (const PvhModule& m : image.modules)
        if (m.cmdline) strings += m.cmdline->size() + 1;
    if (strings > image.strings_pa) end = strings;
    const auto n = static_cast<std::size_t>(end - pvh_window_base);
    Bytes body(mem.at(pvh_window_base, n), mem.at(pvh_window_base, n) + n);
    save(dir, name, 1, body);
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <corpus directory>\n", argv[0]);
        return 2;
    }
    const std::string dir = argv[1];

    // ---- multiboot2: typical
    {
        Mb2Builder b;
        b.cmdline("/boot/janus.elf verbose")
            .loader_name("GRUB 2.06-13+deb12u1")
            .module(0x200000, 0x21a000, "/boot/root.elf")
            .basic_meminfo(639, 130048)
            .raw_tag(mb2_tag::bootdev, Bytes(12, std::byte{0xff}))
            .mmap(qemu_map)
            .framebuffer_ega_text(0xb8000, 80, 25)
            .acpi_old();
        save_mb2(dir, "mb2-grub-bios", b.build());
    }
    {
        const std::uint8_t rgb[6] = {16, 8, 8, 8, 0, 8};
        Mb2Builder b;
        b.loader_name("GRUB 2.06")
            .mmap(qemu_map)
            .framebuffer_rgb(0x80000000, 4096, 1024, 768, 32, rgb)
            .acpi_old()
            .acpi_new()
            .raw_tag(mb2_tag::efi64, Bytes(8, std::byte{0x33}))
            .raw_tag(mb2_tag::efi_bs, Bytes{});
        save_mb2(dir, "mb2-grub-uefi", b.build());
    }
    {
        Mb2Builder b;
        b.basic_meminfo(640, 65536).framebuffer_indexed(0xa0000, 320, 320, 200, 8, 4);
        save_mb2(dir, "mb2-basic-meminfo", b.build());
    }
    {
        Mb2Builder b;
        for (std::uint32_t i = 0; i < 16; ++i) b.module(0x400000 + 0x1000 * i, 0x400800 + 0x1000 * i, "mod");
        b.mmap(
            {{0x0, 0x100000, e820::usable}, {0x80000, 0x1000, e820::acpi_nvs}, {0x7f000, 0x3000, e820::bad}},
            32, 1);
        save_mb2(dir, "mb2-modules-overlaps", b.build());
    }
    // ---- multiboot2: edge cases, one failed check each
    {
        Mb2Builder b;
        b.raw_tag(0x99, Bytes(4), 7).mmap(qemu_map);
        save_mb2(dir, "mb2-tag-size-below-8", b.build());
    }
    {
        Mb2Builder b;
        b.mmap(qemu_map).cmdline("no end").end_tag(false);
        save_mb2(dir, "mb2-no-end-tag", b.build());
    }
    {
        Mb2Builder b;
        b.mmap(qemu_map, 28);
        save_mb2(dir, "mb2-entry-size-28", b.build());
    }
    {
        Mb2Builder b;
        b.mmap({{0xfffffffffffff000, 0x2000, e820::reserved}});
        save_mb2(dir, "mb2-entry-wraps", b.build());
    }
    {
        Mb2Builder b;
        Bytes p;
        append_str(p, "unterminated", false);
        b.mmap(qemu_map).raw_tag(mb2_tag::cmdline, p);
        save_mb2(dir, "mb2-unterminated", b.build());
    }

    // ---- PVH: typical
    {
        PvhImage image;
        image.cmdline = "console=ttyS0";
        image.rsdp_paddr = 0xf5a40;
        image.memmap = qemu_pvh_map();
        save_pvh(dir, "pvh-qemu", image);
    }
    {
        PvhImage image;
        image.modules = {{0x400000, 0x2000, "root"}, {0x402000, 0x100, std::nullopt}};
        image.memmap = qemu_pvh_map();
        image.memmap.push_back({0x100000000, 0x40000000, hvm_memmap::pmem});
        save_pvh(dir, "pvh-modules", image);
    }
    // ---- PVH: edge cases
    {
        PvhImage image;
        image.version = 0;
        save_pvh(dir, "pvh-version-0", image);
    }
    {
        PvhImage image;
        image.memmap = qemu_pvh_map();
        image.memmap_entries = 300;
        save_pvh(dir, "pvh-memmap-too-many", image);
    }
    {
        PvhImage image;
        image.memmap = qemu_pvh_map();
        image.cmdline_paddr = pvh_window_base + pvh_window_size + 0x100;
        save_pvh(dir, "pvh-cmdline-outside", image);
    }
    return 0;
}
