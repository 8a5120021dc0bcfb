// Test doubles for PageTable's policies (host only).
//
//  * TableRam        simulated physical memory for page-table pages, readable word by word like hardware
//  does.
//  * RecordingMemory the memory policy over TableRam; logs every store with the value it replaced, so a test
//                    can rebuild each intermediate state of an update.
//  * FakeAllocator   hands out TableRam pages; can fail the N-th allocation; knows which pages are live.
//  * RecordingCleanup records what an update retired (tables, frames) without freeing anything.
//  * audit()         reachability check: every live table is reachable exactly once or retired, nothing
//  leaks.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernel/mem/page_table.hpp"

namespace kernel::mem::testing {

class TableRam {
public:
    explicit TableRam(std::size_t pages, PhysAddr base = 0x40'0000)
        : base_(base), words_(pages * (frame_size / 8), 0) {}

    PhysAddr base() const { return base_; }
    std::size_t pages() const { return words_.size() / (frame_size / 8); }
    bool contains(PhysAddr pa) const { return pa >= base_ && (pa - base_) / 8 < words_.size(); }

    std::uint64_t& word(PhysAddr pa) {
        if (!contains(pa) || (pa & 7) != 0) throw std::out_of_range("TableRam: access outside table memory");
        return words_[(pa - base_) / 8];
    }
    std::uint64_t read(PhysAddr pa) const { return const_cast<TableRam*>(this)->word(pa); }
    /// The 512 entries of the page at `pa` (bounds-checked once).
    const std::uint64_t* page(PhysAddr pa) const {
        if (!contains(pa) || !contains(pa + frame_size - 1) || (pa & (frame_size - 1)) != 0)
            throw std::out_of_range("TableRam: table outside table memory");
        return words_.data() + (pa - base_) / 8;
    }
    void fill_page(PhysAddr pa, std::uint64_t value) {
        word(pa);
        std::fill_n(words_.begin() + static_cast<std::ptrdiff_t>((pa - base_) / 8), frame_size / 8, value);
    }

    std::vector<std::uint64_t> snapshot() const { return words_; }
    void restore(const std::vector<std::uint64_t>& s) { words_ = s; }

private:
    PhysAddr base_;
    std::vector<std::uint64_t> words_;
};

struct Write {
    PhysAddr address;
    std::uint64_t before;
    std::uint64_t after;
    bool published; ///< false for initialise(): a store into a table nobody can reach yet
};

class RecordingMemory {
public:
    using Entry = std::uint64_t;

    explicit RecordingMemory(TableRam& ram) : ram_(&ram) {}

    Entry load(PhysAddr table, unsigned i) { return slot(table, i); }
    bool compare_exchange(PhysAddr table, unsigned i, Entry& expected, Entry desired) {
        interfere(table + 8ull * i);
        Entry& s = slot(table, i);
        if (s != expected) {
            expected = s;
            return false;
        }
        store(table, i, desired, true);
        return true;
    }
    Entry fetch_or(PhysAddr table, unsigned i, Entry bits) {
        interfere(table + 8ull * i);
        Entry old = slot(table, i);
        store(table, i, old | bits, true);
        return old;
    }
    void initialise(PhysAddr table, unsigned i, Entry value) { store(table, i, value, false); }

    std::vector<Write> history;
    std::uint64_t stores = 0;
    bool recording = false;
    /// Runs before each compare-exchange or fetch-or (not re-entered): a test plays another CPU here.
    std::function<void(PhysAddr entry)> before_update;

private:
    void interfere(PhysAddr entry) {
        if (!before_update || in_hook_) return;
        in_hook_ = true;
        before_update(entry);
        in_hook_ = false;
    }

    Entry& slot(PhysAddr table, unsigned i) { return ram_->word(table + 8ull * i); }
    void store(PhysAddr table, unsigned i, Entry value, bool published) {
        Entry& s = slot(table, i);
        if (recording) history.push_back(Write{table + 8ull * i, s, value, published});
        s = value;
        ++stores;
    }

    TableRam* ram_;
    bool in_hook_ = false;
};

class FakeAllocator {
public:
    explicit FakeAllocator(TableRam& ram) : ram_(&ram) {
        for (std::size_t p = ram.pages(); p-- > 0;) {
            free_.push_back(ram.base() + p * frame_size);
            scribble(free_.back());
        }
    }

    std::optional<PhysAddr> allocate_table() {
        ++calls;
        if (fail_on_call != 0 && calls == fail_on_call) return std::nullopt;
        if (free_.empty()) return std::nullopt;
        PhysAddr pa = free_.back();
        free_.pop_back();
        live.insert(pa);
        return pa;
    }

    void free_unpublished_table(PhysAddr pa) {
        give_back(pa);
        ++freed_unpublished;
    }

    /// After a (simulated) shootdown: retired tables become free.
    void give_back(PhysAddr pa) {
        if (!live.erase(pa)) throw std::logic_error("FakeAllocator: free of a table that is not live");
        free_.push_back(pa);
        scribble(pa);
    }

    /// Make the allocation `n` calls from now fail (1 = the next one); 0 disables.
    void fail_in(std::uint64_t n) { fail_on_call = n ? calls + n : 0; }

    std::uint64_t calls = 0;
    std::uint64_t fail_on_call = 0;
    std::uint64_t freed_unpublished = 0;
    std::set<PhysAddr> live;

private:
    // Free pages hold garbage, as a real allocator's may: the page table must clear what it allocates.
    // (Written while the page is free, so a test's snapshot before an update already holds it.) Present, PS
    // and reserved bits set: a walk that ever reaches it fails loudly.
    void scribble(PhysAddr pa) { ram_->fill_page(pa, 0xdead'beef'dead'beefull); }

    TableRam* ram_;
    std::vector<PhysAddr> free_;
};

class RecordingCleanup {
public:
    void retire_table(PhysAddr pa) { tables.push_back(pa); }
    void retire_frame(PhysAddr frame, PageSize size) { frames.push_back({frame, size}); }

    struct Frame {
        PhysAddr frame;
        PageSize size;
        friend bool operator==(const Frame&, const Frame&) = default;
    };
    std::vector<PhysAddr> tables;
    std::vector<Frame> frames;
};

using TestPageTable = PageTable<RecordingMemory, FakeAllocator, RecordingCleanup>;

/// Tables reachable from `root`, each with how often it is referenced. Throws on a pointer outside TableRam.
inline std::map<PhysAddr, int> reachable_tables(const TableRam& ram, PhysAddr root) {
    std::map<PhysAddr, int> seen;
    auto visit = [&](auto&& self, PhysAddr table, unsigned level) -> void {
        if (++seen[table] > 1) return;
        const std::uint64_t* entries = ram.page(table);
        for (unsigned i = 0; i < 512; ++i) {
            if (arch::PteEncoding::is_table(entries[i], level))
                self(self, arch::PteEncoding::table_address(entries[i]), level - 1);
        }
    };
    visit(visit, root, 4);
    return seen;
}

/// Empty if the tree is sound: each live table reachable exactly once or retired (and then unreachable), no
/// table both, nothing reachable that is not live. Otherwise a description of the first problem.
inline std::string audit(const TableRam& ram, PhysAddr root, const FakeAllocator& alloc,
                         const std::vector<PhysAddr>& retired) {
    std::map<PhysAddr, int> reach = reachable_tables(ram, root);
    std::set<PhysAddr> gone(retired.begin(), retired.end());
    if (gone.size() != retired.size()) return "a table was retired twice";
    for (auto [pa, refs] : reach) {
        if (refs != 1)
            return "table " + std::to_string(pa) + " referenced " + std::to_string(refs) + " times";
        if (!alloc.live.count(pa)) return "reachable table " + std::to_string(pa) + " is not allocated";
        if (gone.count(pa)) return "table " + std::to_string(pa) + " both reachable and retired";
    }
    for (PhysAddr pa : alloc.live)
        if (!reach.count(pa) && !gone.count(pa)) return "leaked table " + std::to_string(pa);
    return {};
}

} // namespace kernel::mem::testing
