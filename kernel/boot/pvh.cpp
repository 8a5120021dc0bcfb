// PVH boot information (QEMU -kernel, Xen, Firecracker, cloud-hypervisor): struct hvm_start_info from Xen's
// public header arch-x86/hvm/start_info.h. Offsets used below:
//   0 magic u32 | 4 version u32 | 8 flags u32 | 12 nr_modules u32 | 16 modlist_paddr u64 | 24 cmdline_paddr
//   u64 32 rsdp_paddr u64 | version >= 1: 40 memmap_paddr u64 | 48 memmap_entries u32 | 52 reserved u32
// modlist entry (32 bytes): paddr u64, size u64, cmdline_paddr u64, reserved u64.
// memmap entry (24 bytes): addr u64, size u64, type u32 (e820), reserved u32.
#include "kernel/boot/bootinfo.hpp"
#include "kernel/boot/byte_reader.hpp"

namespace kernel::boot {

namespace {

constexpr std::size_t v0_size = 40, v1_size = 56;
constexpr std::size_t modlist_entry_size = 32, memmap_entry_size = 24;
constexpr std::uint32_t max_memmap_entries = 256;
constexpr std::size_t max_string = 4096;

/// Copy a NUL-terminated string at physical address pa (at most max_string bytes are examined).
Result<Ok, BootError> copy_phys_string(PhysReader& mem, std::uint64_t pa, char* dst, std::size_t cap,
                                       const char* what) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < max_string; ++i) {
        if (pa + i < pa) break; // wrapped around the address space
        const std::byte* b = mem.read(pa + i, 1);
        if (!b) return fail(BootError{BootErrorKind::unreadable, what, pa + i, pa});
        if (*b == std::byte{0}) {
            dst[n] = '\0';
            return Ok{};
        }
        if (n + 1 < cap) dst[n++] = static_cast<char>(*b);
    }
    return fail(BootError{BootErrorKind::unterminated, what, pa, max_string});
}

Result<ByteView, BootError> view(PhysReader& mem, std::uint64_t pa, std::size_t size, const char* what) {
    const std::byte* p = mem.read(pa, size);
    if (!p) return fail(BootError{BootErrorKind::unreadable, what, pa, size});
    return ByteView(p, size, pa);
}

} // namespace

Result<Ok, BootError> parse_pvh(PhysReader& mem, std::uint64_t pa, BootInfo& out) {
    out = BootInfo{};
    out.protocol = Protocol::pvh;
    auto head = view(mem, pa, v0_size, "PVH start_info");
    if (!head) return fail(head.error());
    std::uint32_t magic = 0, version = 0, nr_modules = 0;
    std::uint64_t modlist = 0, cmdline = 0, rsdp = 0;
    head->read(0, magic);
    head->read(4, version);
    head->read(12, nr_modules);
    head->read(16, modlist);
    head->read(24, cmdline);
    head->read(32, rsdp);
    if (magic != pvh_start_info_magic)
        return fail(BootError{BootErrorKind::bad_magic, "PVH start_info magic", pa, magic});
    if (version < 1) {
        return fail(BootError{BootErrorKind::no_memory_map, "PVH start_info version 0 (no memory map)",
                              pa + 4, version});
    }
    auto full = view(mem, pa, v1_size, "PVH start_info");
    if (!full) return fail(full.error());
    std::uint64_t memmap = 0;
    std::uint32_t memmap_entries = 0;
    full->read(40, memmap);
    full->read(48, memmap_entries);

    out.acpi_rsdp = rsdp;
    if (cmdline != 0) {
        if (auto r = copy_phys_string(mem, cmdline, out.cmdline, sizeof out.cmdline, "PVH command line"); !r)
            return r;
    }

    if (nr_modules > BootInfo::max_modules)
        return fail(BootError{BootErrorKind::too_many_entries, "PVH nr_modules", pa + 12, nr_modules});
    // Address 0 means "not present" (start_info.h): a module count without a list is inconsistent.
    if (nr_modules > 0 && modlist == 0) {
        return fail(
            BootError{BootErrorKind::bad_size, "PVH nr_modules without a module list", pa + 12, nr_modules});
    }
    if (nr_modules > 0) {
        auto list = view(mem, modlist, nr_modules * modlist_entry_size, "PVH module list");
        if (!list) return fail(list.error());
        for (std::size_t i = 0; i < nr_modules; ++i) {
            Module& m = out.modules[i];
            std::uint64_t name = 0;
            list->read(i * modlist_entry_size, m.base);
            list->read(i * modlist_entry_size + 8, m.size);
            list->read(i * modlist_entry_size + 16, name);
            if (m.size > ~std::uint64_t{0} - m.base) {
                return fail(BootError{BootErrorKind::bad_range, "PVH module wraps around",
                                      list->pa_at(i * modlist_entry_size), m.base});
            }
            m.name[0] = '\0';
            if (name != 0) {
                if (auto r = copy_phys_string(mem, name, m.name, sizeof m.name, "PVH module command line");
                    !r)
                    return r;
            }
        }
        out.module_count = nr_modules;
    }

    if (memmap_entries == 0)
        return fail(BootError{BootErrorKind::no_memory_map, "PVH memmap_entries", pa + 48, memmap_entries});
    if (memmap == 0)
        return fail(BootError{BootErrorKind::no_memory_map, "PVH memmap_paddr", pa + 40, memmap});
    if (memmap_entries > max_memmap_entries) {
        return fail(
            BootError{BootErrorKind::too_many_entries, "PVH memmap_entries", pa + 48, memmap_entries});
    }
    auto table = view(mem, memmap, memmap_entries * memmap_entry_size, "PVH memory map");
    if (!table) return fail(table.error());
    RawRegion raw[max_memmap_entries];
    for (std::size_t i = 0; i < memmap_entries; ++i) {
        table->read(i * memmap_entry_size, raw[i].base);
        table->read(i * memmap_entry_size + 8, raw[i].size);
        table->read(i * memmap_entry_size + 16, raw[i].e820_type);
        if (raw[i].size > ~std::uint64_t{0} - raw[i].base) {
            return fail(BootError{BootErrorKind::bad_range, "PVH memory map entry wraps",
                                  table->pa_at(i * memmap_entry_size), raw[i].base});
        }
    }
    return normalise_memory_map(raw, memmap_entries, out.memory);
}

} // namespace kernel::boot
