// Vocabulary of address translation, independent of any page-table format: page sizes, access rights, cache
// attributes, what a lookup returns and why an update is refused.
#pragma once

#include <cstdint>

#include "kernel/mem/frame_allocator.hpp"

namespace kernel::mem {

using VirtAddr = std::uint64_t;

/// A page size is named by the paging level whose entry maps it: 4 KiB at level 1, 2 MiB at 2, 1 GiB at 3.
enum class PageSize : std::uint8_t { size_4k = 1, size_2m = 2, size_1g = 3 };

constexpr unsigned level_of(PageSize s) {
    return static_cast<unsigned>(s);
}
constexpr unsigned shift_of_level(unsigned level) {
    return 12 + 9 * (level - 1);
}
constexpr std::uint64_t bytes_of_level(unsigned level) {
    return std::uint64_t{1} << shift_of_level(level);
}
constexpr std::uint64_t bytes_of(PageSize s) {
    return bytes_of_level(level_of(s));
}

/// Access rights of a mapping. Reading is implied by presence (x86-64 has no write-only or execute-only
/// pages); `user` makes the page reachable from ring 3, otherwise it is supervisor-only.
struct Rights {
    bool write = false;
    bool execute = false;
    bool user = false;

    friend bool operator==(const Rights&, const Rights&) = default;
    /// True if every access `other` allows, this allows too (the user bit must match: it moves a page between
    /// privilege levels, which is neither more nor less).
    constexpr bool covers(const Rights& other) const {
        return user == other.user && (write || !other.write) && (execute || !other.execute);
    }
};

/// Memory type of a mapping: write-back for RAM, uncached and write-combining for devices.
enum class Cache : std::uint8_t { write_back, write_combining, uncached };

struct Attributes {
    Rights rights;
    Cache cache = Cache::write_back;
    bool global = false; ///< kept in TLBs across address-space switches: for kernel mappings only

    friend bool operator==(const Attributes&, const Attributes&) = default;
};

/// One page's translation as a lookup finds it.
struct Translation {
    VirtAddr page;  ///< first virtual address of the page
    PhysAddr frame; ///< first physical address of the page
    PageSize size;
    Attributes attributes;

    friend bool operator==(const Translation&, const Translation&) = default;
};

enum class MapError : std::uint8_t {
    out_of_memory, ///< a page-table page could not be allocated; no translation was changed
    misaligned,    ///< an address or length is not a multiple of the page size
    bad_range,     ///< empty, wrapping, non-canonical or crossing the canonical hole
    bad_frame,     ///< the physical range exceeds the architecture's 52-bit physical address space
};

} // namespace kernel::mem
