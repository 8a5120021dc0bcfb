// The page-table entry format of x86-64 four-level paging (Intel SDM vol. 3A, 4.5): how a page-table entry
// encodes a next-level table or a leaf, its rights and its memory type.
//
// Non-leaf entries are fully permissive (present, writable, user, executable), so a leaf alone decides a
// page's rights. Memory types go through the PAT: the kernel programs IA32_PAT with `pat_msr` below and
// selects an index with PWT/PCD (the PAT bit itself stays clear, so indices 0..3 suffice).
// `claimed` (an available bit, ignored by the MMU in every entry) marks an entry of a table that an update
// has detached: the entry keeps its old meaning for any hardware walk still in there, but this code treats it
// as neither table nor leaf, and a writer or reader that meets it restarts from the root (page_table.hpp).
#pragma once

#include <cstdint>

#include "kernel/mem/paging.hpp"

namespace arch::x86 {

/// The encoding policy of kernel/mem's PageTable template (page_table.hpp lists what it must provide); the
/// portable core reaches it only as arch::PteEncoding (arch/pte.hpp).
struct PteEncoding {
    using Entry = std::uint64_t;
    using Attributes = kernel::mem::Attributes;
    using Cache = kernel::mem::Cache;
    using PhysAddr = kernel::mem::PhysAddr;
    using Rights = kernel::mem::Rights;

    static constexpr Entry present = 1ull << 0;
    static constexpr Entry writable = 1ull << 1;
    static constexpr Entry user = 1ull << 2;
    static constexpr Entry write_through = 1ull << 3; // PWT
    static constexpr Entry cache_disable = 1ull << 4; // PCD
    static constexpr Entry accessed = 1ull << 5;
    static constexpr Entry dirty = 1ull << 6;
    static constexpr Entry page_size = 1ull << 7; // PS: a leaf at level 2 or 3
    static constexpr Entry pat_4k = 1ull << 7;    // PAT index bit 2 in a level-1 leaf
    static constexpr Entry global = 1ull << 8;
    static constexpr Entry claimed = 1ull << 9;    // software: entry of a detached table
    static constexpr Entry pat_large = 1ull << 12; // PAT index bit 2 in a level-2/3 leaf
    static constexpr Entry no_execute = 1ull << 63;
    static constexpr Entry address_mask = 0x000f'ffff'ffff'f000ull;

    /// IA32_PAT as the kernel programs it: PA0 WB, PA1 WC, PA2 UC-, PA3 UC, and again for PA4..7.
    /// (Type codes, SDM 11.12.2: 0 UC, 1 WC, 4 WT, 5 WP, 6 WB, 7 UC-.)
    static constexpr std::uint64_t pat_msr = 0x0007'0106'0007'0106ull;

    static constexpr unsigned levels = 4;
    static constexpr unsigned entries_per_table = 512;
    static constexpr unsigned max_leaf_level = 3;
    static constexpr PhysAddr max_phys = 1ull << 52;

    static constexpr bool is_claimed(Entry e) { return e & claimed; }
    static constexpr bool is_present(Entry e) { return (e & present) && !(e & claimed); }
    /// PS is reserved above level 3, so a present top-level entry is always a table.
    static constexpr bool is_table(Entry e, unsigned level) {
        return is_present(e) && level > 1 && (level > max_leaf_level || !(e & page_size));
    }
    static constexpr bool is_leaf(Entry e, unsigned level) {
        return is_present(e) && level <= max_leaf_level && (level == 1 || (e & page_size));
    }

    static constexpr Entry table(PhysAddr pa) { return (pa & address_mask) | present | writable | user; }
    static constexpr PhysAddr table_address(Entry e) { return e & address_mask; }

    static constexpr Entry leaf(PhysAddr frame, const Attributes& a, unsigned level) {
        Entry e = (frame & address_mask) | present;
        if (level > 1) e |= page_size;
        if (a.rights.write) e |= writable;
        if (a.rights.user) e |= user;
        if (!a.rights.execute) e |= no_execute;
        if (a.global) e |= global;
        switch (a.cache) {
        case Cache::write_back:
            break; // PAT index 0
        case Cache::write_combining:
            e |= write_through;
            break; // PAT index 1
        case Cache::uncached:
            e |= write_through | cache_disable;
            break; // PAT index 3
        }
        return e;
    }

    static constexpr PhysAddr leaf_frame(Entry e, unsigned level) {
        return e & address_mask & ~(kernel::mem::bytes_of_level(level) - 1);
    }

    static constexpr Attributes leaf_attributes(Entry e) {
        Attributes a;
        a.rights.write = e & writable;
        a.rights.user = e & user;
        a.rights.execute = !(e & no_execute);
        a.global = e & global;
        switch ((e & (write_through | cache_disable)) >> 3) {
        case 0:
            a.cache = Cache::write_back;
            break;
        case 1:
            a.cache = Cache::write_combining;
            break;
        default:
            a.cache = Cache::uncached;
            break;
        }
        return a;
    }

    /// The same leaf with other rights; frame, memory type, global and accessed/dirty bits kept.
    static constexpr Entry with_rights(Entry e, const Rights& r) {
        e &= ~(writable | user | no_execute);
        if (r.write) e |= writable;
        if (r.user) e |= user;
        if (!r.execute) e |= no_execute;
        return e;
    }

    /// Entry `index` of the table that replaces leaf `e` of `level` with level-1 leaves of the same
    /// translation: same rights, memory type and accessed/dirty state, consecutive frames.
    static constexpr Entry split_child(Entry e, unsigned level, unsigned index) {
        const unsigned child = level - 1;
        Entry flags = e & ~address_mask & ~page_size;
        Entry frame = leaf_frame(e, level) + index * kernel::mem::bytes_of_level(child);
        if (child > 1) flags |= page_size;
        return frame | flags;
    }

    /// Same translation: frame, rights, memory type and global bit equal (accessed/dirty ignored).
    static constexpr bool same_translation(Entry a, Entry b) {
        constexpr Entry ignored = accessed | dirty;
        return (a & ~ignored) == (b & ~ignored);
    }
};

} // namespace arch::x86
