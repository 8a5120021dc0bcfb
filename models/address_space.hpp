// Reference model of one address space: what map, unmap, protect and lookup must do, stated as plainly as
// possible. A std::map from each mapped page's first virtual address to (frame, page size, rights, memory
// type, global). No page tables, no concurrency, no code shared with kernel/: tests drive this and the
// kernel with the same operations and compare every answer.
//
// The rules it states (the contract of kernel/mem/page_table.hpp):
//  * map(va, pa, bytes, size): every size-page of the range translates to the matching frame afterwards.
//    Smaller mappings inside a new page vanish; a larger mapping around a new page is first cut into pieces
//    of the next smaller size (1 GiB -> 2 MiB -> 4 KiB) with the same translation, until the new page fits.
//  * unmap(va, bytes): every mapping that overlaps the range vanishes whole.
//  * protect(va, bytes, rights): a mapping straddling an end of the range is cut (as map cuts) until the end
//  is
//    a page boundary; then every mapping inside the range gets the new rights.
//  * An operation "needs a flush" if some address loses its translation, changes frame, memory type or global
//    bit, or loses a right (write, execute) or changes its user bit.
#pragma once

#include <cstdint>
#include <map>
#include <optional>

namespace models {

struct Rights {
    bool write = false;
    bool execute = false;
    bool user = false;
    friend bool operator==(const Rights&, const Rights&) = default;
};

enum class Cache : std::uint8_t { write_back, write_combining, uncached };

struct Mapping {
    std::uint64_t frame = 0; ///< physical address of the page's first byte
    std::uint64_t size = 0;  ///< 4 KiB, 2 MiB or 1 GiB
    Rights rights;
    Cache cache = Cache::write_back;
    bool global = false;
    friend bool operator==(const Mapping&, const Mapping&) = default;
};

/// A page found by lookup: its first virtual address and its mapping.
struct Found {
    std::uint64_t page = 0;
    Mapping mapping;
    friend bool operator==(const Found&, const Found&) = default;
};

enum class Error : std::uint8_t { misaligned, bad_range, bad_frame };

/// What an operation did: an error (and nothing changed), or whether it needs a TLB flush.
struct Outcome {
    std::optional<Error> error;
    bool needs_flush = false;
};

class AddressSpace {
public:
    static constexpr std::uint64_t k4 = 4096, m2 = 2ull << 20, g1 = 1ull << 30;

    Outcome map(std::uint64_t va, std::uint64_t pa, std::uint64_t bytes, std::uint64_t size, Rights rights,
                Cache cache, bool global);
    Outcome unmap(std::uint64_t va, std::uint64_t bytes);
    Outcome protect(std::uint64_t va, std::uint64_t bytes, Rights rights);
    std::optional<Found> lookup(std::uint64_t va) const;

    const std::map<std::uint64_t, Mapping>& pages() const { return pages_; }

private:
    static std::optional<Error> check(std::uint64_t va, std::uint64_t bytes, std::uint64_t align);
    void cut_until_fits(std::uint64_t va, std::uint64_t size);
    std::map<std::uint64_t, Mapping>::iterator containing(std::uint64_t va);

    std::map<std::uint64_t, Mapping> pages_;
};

} // namespace models
