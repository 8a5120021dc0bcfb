// A four-level page table, written once over policies so the same algorithm runs in the kernel (atomic
// accesses through the arch contract, frames from the buddy allocator, release after shootdown) and in tests
// (fakes that record every write, run out of memory on demand, and record what was retired).
//
// clang-format off
//   Memory      Entry load(PhysAddr table, unsigned i)               acquire
//               bool compare_exchange(table, i, Entry& expected, Entry desired)
//                                                                    on failure: expected = current
//               Entry fetch_or(table, i, Entry bits)                 returns the old value
//               void initialise(table, i, Entry value)               plain store into a table nobody can see yet
//   Allocator   std::optional<PhysAddr> allocate_table()             any contents; the table is cleared here
//               void free_unpublished_table(PhysAddr)                a table that was never made reachable
//   Cleanup     void retire_table(PhysAddr)                          detached: reuse only after a shootdown
//               void retire_frame(PhysAddr frame, PageSize size)     a translation to it disappeared
//   Encoding    entry format (arch::PteEncoding)
//
// Concurrency (lock-free; every CPU may update and walk at once):
//  * An entry changes only by compare-and-swap or fetch-or, so an update never overwrites one it has not seen.
//  * A new table is built off-line (cleared, or filled with the pieces of the superpage it splits, which keeps
//    every translation) and installed by CAS. The loser of a race frees its unpublished table and goes on
//    with the winner's.
//  * A table leaves the tree only by one CAS in its parent (replaced by a superpage, or cleared by an unmap that
//    covers it). The CPU that did that then claims each of its entries by setting the `claimed` bit, which
//    the MMU ignores (a hardware walk still inside sees the old translation, never a torn one), and retires
//    what they held. A writer still working in the detached table either lands before the claim (and its
//    entry is retired with the rest: its update happened, then was replaced) or meets the bit and restarts
//    from the root. Readers restart on the bit too.
//  * Detached tables and unmapped frames go to Cleanup and must not be reused until every CPU that may walk
//    the table or cache its translations has been shot down; updates run with interrupts masked, so that
//    shootdown also waits out any update still inside a detached table (see arch/tlb.hpp).
// clang-format on
//
// Out of memory: map and protect first make sure every table they need exists (phase 1, which may allocate
// but changes no translation: a new empty table or a split superpage translate exactly as before), then
// write leaves (phase 2, no allocation). So running out of memory leaves every translation as it was, and
// every allocated table is reachable from the root. Only if another CPU restructures the same range between
// the phases may phase 2 need a table again; if that fails, the pages before it are done. unmap never
// allocates and never fails for lack of memory.
//
// unmap removes every mapping that intersects the range, a superpage as a whole; the returned Flush covers
// what was removed. A superpage that another CPU's map or protect has split in its phase 1 is no longer
// whole: an unmap of part of it then removes only the pages in the range (the linearizability checker,
// testing/page_table_history.hpp, counts that split as a step of its own). (Splitting a superpage needs
// memory, which unmap must not depend on; use protect or map to split first.)
#pragma once

#include <cstdint>
#include <optional>

#include "arch/pte.hpp"
#include "kernel/lib/result.hpp"
#include "kernel/mem/flush.hpp"
#include "kernel/mem/paging.hpp"

namespace kernel::mem {

template <typename Memory, typename Allocator, typename Cleanup, typename Encoding = arch::PteEncoding>
class PageTable {
public:
    using Entry = typename Encoding::Entry;
    static constexpr unsigned top_level = Encoding::levels;
    static constexpr unsigned entries = Encoding::entries_per_table;

    /// A fresh, empty address space.
    static Result<PageTable, MapError> create(Memory& memory, Allocator& allocator) {
        std::optional<PhysAddr> root = allocator.allocate_table();
        if (!root) return fail(MapError::out_of_memory);
        for (unsigned i = 0; i < entries; ++i) memory.initialise(*root, i, 0);
        return PageTable(memory, allocator, *root);
    }

    /// Adopt an existing tree whose entries this code (or an equivalent) wrote.
    PageTable(Memory& memory, Allocator& allocator, PhysAddr root)
        : memory_(&memory), allocator_(&allocator), root_(root) {}

    PhysAddr root() const { return root_; }

    /// The translation of `va`, if any. Sees every update either entirely before or after its CAS.
    std::optional<Translation> lookup(VirtAddr va) const {
        for (;;) {
            Slot s = find(va, 1);
            if (Encoding::is_claimed(s.entry)) continue;
            if (!Encoding::is_leaf(s.entry, s.level)) return std::nullopt;
            return Translation{align_down(va, bytes_of_level(s.level)),
                               Encoding::leaf_frame(s.entry, s.level), static_cast<PageSize>(s.level),
                               Encoding::leaf_attributes(s.entry)};
        }
    }

    /// Map [va, va + bytes) to [pa, pa + bytes) with pages of `size`, replacing whatever translated there
    /// (smaller mappings under a new superpage are removed; a superpage under a smaller new page is split).
    Result<Flush, MapError> map(VirtAddr va, PhysAddr pa, std::uint64_t bytes, PageSize size,
                                const Attributes& attributes, Cleanup& cleanup) {
        const std::uint64_t step = bytes_of(size);
        if (auto e = check_range(va, bytes, step)) return fail(*e);
        if ((pa & (step - 1)) != 0) return fail(MapError::misaligned);
        if (pa >= Encoding::max_phys || bytes > Encoding::max_phys - pa) return fail(MapError::bad_frame);
        const unsigned level = level_of(size);
        const VirtAddr last = va + (bytes - 1);

        // Phase 1: one table_at per table the leaves will go into.
        const std::uint64_t table_span = bytes_of_level(level + 1);
        PhysAddr first_table = 0;
        for (VirtAddr v = va;;) {
            auto t = table_at(v, level);
            if (!t) return fail(t.error());
            if (v == va) first_table = t.value();
            VirtAddr next = align_down(v, table_span) + table_span;
            if (next == 0 || next > last) break;
            v = next;
        }

        // Phase 2: the leaves. The first table is phase 1's: should it have been detached since, install()
        // says so and the loop below finds the live one, as for any table.
        Flush flush = no_flush();
        const Entry leaf_bits = Encoding::leaf(0, attributes, level);
        PhysAddr table = first_table;
        for (std::uint64_t offset = 0;; offset += step) {
            const VirtAddr v = va + offset;
            if (offset != 0 && index(v, level) == 0) {
                auto t = table_at(v, level);
                if (!t) return fail(t.error());
                table = t.value();
            }
            const Entry want = leaf_bits | ((pa + offset) & Encoding::address_mask);
            while (!install(table, v, level, want, cleanup, flush)) {
                auto t = table_at(v, level); // we were in a detached table: find the live one
                if (!t) return fail(t.error());
                table = t.value();
            }
            if (offset == bytes - step) break;
        }
        return flush;
    }

    /// Make sure the tables that will hold `va`'s entry for a page of `size` exist, changing no translation
    /// (as map's phase 1 does). For callers that account page-table pages per page they reserve.
    Result<Ok, MapError> prepare(VirtAddr va, PageSize size) {
        if (auto e = check_range(va, bytes_of(size), bytes_of(size))) return fail(*e);
        auto t = table_at(va, level_of(size));
        if (!t) return fail(t.error());
        return Ok{};
    }

    /// Remove every mapping that intersects [va, va + bytes); tables the range covers entirely go too.
    Result<Flush, MapError> unmap(VirtAddr va, std::uint64_t bytes, Cleanup& cleanup) {
        if (auto e = check_range(va, bytes, bytes_of_level(1))) return fail(*e);
        const VirtAddr last = va + (bytes - 1);
        Flush flush = no_flush();
        for (VirtAddr v = va;;) {
            Slot s = find_covered(v, last);
            const std::uint64_t span = bytes_of_level(s.level);
            const VirtAddr base = align_down(v, span);
            if (Encoding::is_claimed(s.entry)) continue;
            if (Encoding::is_present(s.entry)) {
                Entry seen = s.entry;
                if (!memory_->compare_exchange(s.table, index(v, s.level), seen, 0)) continue;
                retire(seen, s.level, cleanup);
                flush = merge(flush, flush_range(base, base + span));
            }
            VirtAddr next = base + span;
            if (next == 0 || next > last) break;
            v = next;
        }
        return flush;
    }

    /// Give every mapped page in [va, va + bytes) the rights `rights` (memory type and global bit kept).
    /// Superpages that straddle an end of the range are split first; unmapped pages stay unmapped.
    Result<Flush, MapError> protect(VirtAddr va, std::uint64_t bytes, const Rights& rights,
                                    Cleanup& cleanup) {
        if (auto e = check_range(va, bytes, bytes_of_level(1))) return fail(*e);
        const VirtAddr last = va + (bytes - 1);

        // Phase 1: both ends of the range become page boundaries.
        if (auto r = split_at(va); !r) return fail(r.error());
        if (last + 1 != 0)
            if (auto r = split_at(last + 1); !r) return fail(r.error());

        // Phase 2: the leaves.
        Flush flush = no_flush();
        for (VirtAddr v = va;;) {
            Slot s = find(v, 1);
            const std::uint64_t span = bytes_of_level(s.level);
            const VirtAddr base = align_down(v, span);
            if (Encoding::is_claimed(s.entry)) continue;
            if (Encoding::is_leaf(s.entry, s.level)) {
                if (base < va || base + (span - 1) > last) { // re-merged by another CPU since phase 1
                    if (auto r = split_at(base < va ? va : last + 1); !r) return fail(r.error());
                    continue;
                }
                Entry seen = s.entry;
                const Entry want = Encoding::with_rights(seen, rights);
                if (want != seen) {
                    if (!memory_->compare_exchange(s.table, index(v, s.level), seen, want)) continue;
                    if (!rights.covers(Encoding::leaf_attributes(seen).rights))
                        flush = merge(flush, flush_range(base, base + span));
                }
            }
            VirtAddr next = base + span;
            if (next == 0 || next > last) break;
            v = next;
        }
        return flush;
    }

    /// Detach the whole tree: every table (the root too) and every mapped frame goes to `cleanup`. The object
    /// must not be used afterwards.
    Flush destroy(Cleanup& cleanup) {
        detach(root_, top_level, cleanup);
        return Flush{Flush::Kind::all, 0, 0};
    }

private:
    struct Slot {
        PhysAddr table; ///< the table holding the entry
        unsigned level; ///< the entry's level
        Entry entry;    ///< its value when read
    };

    static constexpr unsigned index(VirtAddr va, unsigned level) {
        return static_cast<unsigned>(va >> shift_of_level(level)) & (entries - 1);
    }
    static constexpr VirtAddr align_down(VirtAddr va, std::uint64_t span) { return va & ~(span - 1); }

    static constexpr bool canonical(VirtAddr va) {
        const std::uint64_t top = va >> 47;
        return top == 0 || top == 0x1ffff;
    }

    /// Why [va, va + bytes) is not a usable range of `align`-sized pages, if it is not.
    static std::optional<MapError> check_range(VirtAddr va, std::uint64_t bytes, std::uint64_t align) {
        if (bytes == 0) return MapError::bad_range;
        if (((va | bytes) & (align - 1)) != 0) return MapError::misaligned;
        const VirtAddr last = va + (bytes - 1);
        if (last < va || !canonical(va) || !canonical(last) || (va >> 47) != (last >> 47))
            return MapError::bad_range;
        return std::nullopt;
    }

    /// Walk towards `va` and stop at the first entry that is not a table, or at `stop_level`.
    Slot find(VirtAddr va, unsigned stop_level) const {
        PhysAddr table = root_;
        for (unsigned level = top_level;; --level) {
            const Entry e = memory_->load(table, index(va, level));
            if (level == stop_level || !Encoding::is_table(e, level)) return Slot{table, level, e};
            table = Encoding::table_address(e);
        }
    }

    /// Like find(.., 1), but also stops at a table entry whose whole span lies in [va, last].
    Slot find_covered(VirtAddr va, VirtAddr last) const {
        PhysAddr table = root_;
        for (unsigned level = top_level;; --level) {
            const Entry e = memory_->load(table, index(va, level));
            if (level == 1 || !Encoding::is_table(e, level)) return Slot{table, level, e};
            const std::uint64_t span = bytes_of_level(level);
            if (align_down(va, span) == va && va + (span - 1) <= last) return Slot{table, level, e};
            table = Encoding::table_address(e);
        }
    }

    /// The table holding `va`'s entries of `level`, creating empty tables and splitting superpages above it.
    /// Changes no translation. Fails only for want of memory.
    Result<PhysAddr, MapError> table_at(VirtAddr va, unsigned level) {
    restart:
        PhysAddr table = root_;
        for (unsigned l = top_level; l > level; --l) {
            const unsigned i = index(va, l);
            Entry e = memory_->load(table, i);
            while (!Encoding::is_table(e, l)) {
                if (Encoding::is_claimed(e)) goto restart;
                std::optional<PhysAddr> fresh = allocator_->allocate_table();
                if (!fresh) return fail(MapError::out_of_memory);
                fill(*fresh, e, l);
                if (memory_->compare_exchange(table, i, e, Encoding::table(*fresh))) {
                    e = Encoding::table(*fresh);
                    break;
                }
                allocator_->free_unpublished_table(*fresh); // lost the race; `e` is the winner's entry now
            }
            table = Encoding::table_address(e);
        }
        return table;
    }

    /// Make `boundary` the start of a page: split superpages that contain it without starting there.
    Result<Ok, MapError> split_at(VirtAddr boundary) {
        if (!canonical(boundary)) return Ok{}; // the end of a half: nothing mapped beyond it
    restart:
        PhysAddr table = root_;
        for (unsigned l = top_level; l > 1; --l) {
            const unsigned i = index(boundary, l);
            Entry e = memory_->load(table, i);
            while (!Encoding::is_table(e, l)) {
                if (Encoding::is_claimed(e)) goto restart;
                if (!Encoding::is_leaf(e, l) || align_down(boundary, bytes_of_level(l)) == boundary)
                    return Ok{};
                std::optional<PhysAddr> fresh = allocator_->allocate_table();
                if (!fresh) return fail(MapError::out_of_memory);
                fill(*fresh, e, l);
                if (memory_->compare_exchange(table, i, e, Encoding::table(*fresh))) {
                    e = Encoding::table(*fresh);
                    break;
                }
                allocator_->free_unpublished_table(*fresh);
            }
            table = Encoding::table_address(e);
        }
        return Ok{};
    }

    /// Contents of a table about to replace entry `e` of `level`: empty, or the pieces of a superpage.
    void fill(PhysAddr fresh, Entry e, unsigned level) {
        const bool split = Encoding::is_leaf(e, level);
        for (unsigned i = 0; i < entries; ++i)
            memory_->initialise(fresh, i, split ? Encoding::split_child(e, level, i) : Entry{0});
    }

    /// Put leaf `want` into `va`'s entry of `level` in `table`. False if the table turned out to be detached.
    bool install(PhysAddr table, VirtAddr va, unsigned level, Entry want, Cleanup& cleanup, Flush& flush) {
        const unsigned i = index(va, level);
        Entry e = memory_->load(table, i);
        for (;;) {
            if (Encoding::is_claimed(e)) return false;
            if (Encoding::is_leaf(e, level) && Encoding::same_translation(e, want)) return true;
            if (memory_->compare_exchange(table, i, e, want)) break;
        }
        const VirtAddr base = align_down(va, bytes_of_level(level));
        if (Encoding::is_table(e, level)) {
            retire(e, level, cleanup);
            flush = merge(flush, flush_range(base, base + bytes_of_level(level)));
        } else if (Encoding::is_leaf(e, level)) {
            const PhysAddr old_frame = Encoding::leaf_frame(e, level);
            const Translation before{base, old_frame, static_cast<PageSize>(level),
                                     Encoding::leaf_attributes(e)};
            const Translation after{base, Encoding::leaf_frame(want, level), static_cast<PageSize>(level),
                                    Encoding::leaf_attributes(want)};
            if (needs_flush(before, after))
                flush = merge(flush, flush_range(base, base + bytes_of_level(level)));
            if (before.frame != after.frame) cleanup.retire_frame(old_frame, static_cast<PageSize>(level));
        }
        return true;
    }

    /// Hand what entry `e` of `level` held (now unreachable) to cleanup.
    void retire(Entry e, unsigned level, Cleanup& cleanup) {
        if (Encoding::is_table(e, level)) {
            detach(Encoding::table_address(e), level - 1, cleanup);
        } else if (Encoding::is_leaf(e, level)) {
            cleanup.retire_frame(Encoding::leaf_frame(e, level), static_cast<PageSize>(level));
        }
    }

    /// Claim every entry of a detached table (holding entries of `level`), retiring what they held, then the
    /// table itself.
    void detach(PhysAddr table, unsigned level, Cleanup& cleanup) {
        for (unsigned i = 0; i < entries; ++i)
            retire(memory_->fetch_or(table, i, Encoding::claimed), level, cleanup);
        cleanup.retire_table(table);
    }

    Memory* memory_;
    Allocator* allocator_;
    PhysAddr root_;
};

} // namespace kernel::mem
