// Lays out PVH boot information in a FakePhys, field by field from Xen's public header
// arch-x86/hvm/start_info.h (host only; tests and fuzz seeds). All fields are little-endian.
//
//   struct hvm_start_info (56 bytes; version 0 ends at 40):
//     0 magic u32 (0x336ec578)  4 version u32  8 flags u32  12 nr_modules u32  16 modlist_paddr u64
//    24 cmdline_paddr u64  32 rsdp_paddr u64  40 memmap_paddr u64  48 memmap_entries u32  52 reserved u32
//   struct hvm_modlist_entry (32 bytes):       paddr u64, size u64, cmdline_paddr u64, reserved u64
//   struct hvm_memmap_table_entry (24 bytes):  addr u64, size u64, type u32, reserved u32
//
// An address of 0 means "not present". By default every count and pointer matches what is laid out; the
// optional overrides write other values instead, for malformed-input tests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kernel/boot/testing/fake_phys.hpp"

namespace kernel::boot::testing {

inline constexpr std::uint32_t xen_hvm_start_magic = 0x336ec578;
inline constexpr std::size_t hvm_start_info_size = 56, hvm_modlist_entry_size = 32,
                             hvm_memmap_entry_size = 24;

/// XEN_HVM_MEMMAP_TYPE_* (the ACPI address range types).
namespace hvm_memmap {
inline constexpr std::uint32_t ram = 1, reserved = 2, acpi = 3, nvs = 4, unusable = 5, disabled = 6, pmem = 7;
}

struct PvhModule {
    std::uint64_t paddr;
    std::uint64_t size;
    std::optional<std::string> cmdline;
};

struct PvhMemmapEntry {
    std::uint64_t addr;
    std::uint64_t size;
    std::uint32_t type;
};

struct PvhImage {
    std::uint32_t magic = xen_hvm_start_magic;
    std::uint32_t version = 1;
    std::uint32_t flags = 0;
    std::optional<std::string> cmdline;
    std::uint64_t rsdp_paddr = 0;
    std::vector<PvhModule> modules;
    std::vector<PvhMemmapEntry> memmap;

    // Placement of each part in physical memory.
    std::uint64_t start_info_pa = 0x6000;
    std::uint64_t modlist_pa = 0x7000;
    std::uint64_t memmap_pa = 0x8000;
    std::uint64_t strings_pa = 0x9000;

    // Values written instead of the true ones.
    std::optional<std::uint32_t> nr_modules;
    std::optional<std::uint32_t> memmap_entries;
    std::optional<std::uint64_t> modlist_paddr;
    std::optional<std::uint64_t> memmap_paddr;
    std::optional<std::uint64_t> cmdline_paddr;

    void write_to(FakePhys& mem) const {
        std::uint64_t next_string = strings_pa;
        auto place_string = [&](const std::optional<std::string>& s) -> std::uint64_t {
            if (!s) return 0;
            std::uint64_t pa = next_string;
            mem.write_cstring(pa, *s);
            next_string += s->size() + 1;
            return pa;
        };

        std::uint64_t cmdline_pa = place_string(cmdline);
        for (std::size_t i = 0; i < modules.size(); ++i) {
            std::uint64_t e = modlist_pa + i * hvm_modlist_entry_size;
            mem.write_u64(e, modules[i].paddr);
            mem.write_u64(e + 8, modules[i].size);
            mem.write_u64(e + 16, place_string(modules[i].cmdline));
            mem.write_u64(e + 24, 0);
        }
        for (std::size_t i = 0; i < memmap.size(); ++i) {
            std::uint64_t e = memmap_pa + i * hvm_memmap_entry_size;
            mem.write_u64(e, memmap[i].addr);
            mem.write_u64(e + 8, memmap[i].size);
            mem.write_u32(e + 16, memmap[i].type);
            mem.write_u32(e + 20, 0);
        }

        std::uint64_t s = start_info_pa;
        mem.write_u32(s + 0, magic);
        mem.write_u32(s + 4, version);
        mem.write_u32(s + 8, flags);
        mem.write_u32(s + 12, nr_modules.value_or(static_cast<std::uint32_t>(modules.size())));
        mem.write_u64(s + 16, modlist_paddr.value_or(modules.empty() ? 0 : modlist_pa));
        mem.write_u64(s + 24, cmdline_paddr.value_or(cmdline_pa));
        mem.write_u64(s + 32, rsdp_paddr);
        if (version >= 1) {
            mem.write_u64(s + 40, memmap_paddr.value_or(memmap.empty() ? 0 : memmap_pa));
            mem.write_u32(s + 48, memmap_entries.value_or(static_cast<std::uint32_t>(memmap.size())));
            mem.write_u32(s + 52, 0);
        }
    }
};

} // namespace kernel::boot::testing
