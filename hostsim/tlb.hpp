// The TLB model: a per-CPU cache of translations, filled by page-table walks and dropped only by the kernel's
// invalidations (invlpg), address-space switches and shootdowns — never evicted on its own, which is the most
// demanding legal behaviour for the kernel. The page-table format is pluggable (a Walker), so the same model
// serves a toy format in hostsim's self-test and the real x86-64 tables (hostsim/pagewalk).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace hostsim {

/// Rights of a translation and the needs of an access (bit set).
namespace access {
inline constexpr std::uint8_t read = 1, write = 2, execute = 4, user = 8;
}

struct Translation {
    std::uint64_t frame = 0;        ///< physical address of the page (aligned to page_size)
    std::uint64_t page_size = 4096; ///< 4 KiB, 2 MiB or 1 GiB
    std::uint8_t rights = 0;        ///< access:: bits
    bool global = false;            ///< survives address-space switches (x86 G bit)
};

/// Walks the page tables rooted at `root` for `va`; nullopt if nothing is mapped there. A walk is not a
/// scheduling point: read the tables with hostsim::peek (machine.hpp), never with contract atomics.
using Walker = std::function<std::optional<Translation>(std::uint64_t root, std::uint64_t va)>;

/// A number that changes whenever `frame` is freed or allocated again (hooked to the frame allocator). A
/// translation whose frame's generation changed since the walk that cached it points at memory that is no
/// longer the page's.
using FrameGeneration = std::function<std::uint64_t(std::uint64_t frame)>;

class Tlb {
public:
    struct Entry {
        std::uint64_t va_base;
        Translation t;
        std::uint64_t generation;
    };

    const Entry* find(std::uint64_t va) const {
        for (const Entry& e : entries_)
            if (va - e.va_base < e.t.page_size) return &e;
        return nullptr;
    }
    void insert(std::uint64_t va, const Translation& t, std::uint64_t generation) {
        invalidate(va);
        entries_.push_back({va & ~(t.page_size - 1), t, generation});
    }
    /// Drops every entry covering `va`, global or not (invlpg).
    void invalidate(std::uint64_t va) {
        std::erase_if(entries_, [va](const Entry& e) { return va - e.va_base < e.t.page_size; });
    }
    /// Drops all entries, or all but the global ones (an address-space switch).
    void flush(bool include_global) {
        if (include_global)
            entries_.clear();
        else
            std::erase_if(entries_, [](const Entry& e) { return !e.t.global; });
    }
    std::size_t size() const { return entries_.size(); }

private:
    std::vector<Entry> entries_;
};

} // namespace hostsim
