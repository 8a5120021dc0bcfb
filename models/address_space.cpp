#include "models/address_space.hpp"

#include <vector>

namespace models {
namespace {

bool canonical(std::uint64_t va) {
    // 48-bit linear addresses: bits 63..47 all equal.
    std::uint64_t top = va >> 47;
    return top == 0 || top == 0x1ffff;
}

std::uint64_t smaller(std::uint64_t size) {
    return size == AddressSpace::g1 ? AddressSpace::m2 : AddressSpace::k4;
}

// Losing access, moving the frame or changing how the memory is cached all leave stale TLB entries behind.
bool stale(const Mapping& before, std::uint64_t frame_after, const Mapping& after) {
    if (before.frame != frame_after || before.cache != after.cache || before.global != after.global)
        return true;
    if (before.rights.user != after.rights.user) return true;
    return (before.rights.write && !after.rights.write) || (before.rights.execute && !after.rights.execute);
}

} // namespace

std::optional<Error> AddressSpace::check(std::uint64_t va, std::uint64_t bytes, std::uint64_t align) {
    if (bytes == 0) return Error::bad_range;
    if (va % align != 0 || bytes % align != 0) return Error::misaligned;
    std::uint64_t last = va + bytes - 1;
    if (last < va) return Error::bad_range;
    if (!canonical(va) || !canonical(last) || (va >> 47) != (last >> 47)) return Error::bad_range;
    return std::nullopt;
}

std::map<std::uint64_t, Mapping>::iterator AddressSpace::containing(std::uint64_t va) {
    auto it = pages_.upper_bound(va);
    if (it == pages_.begin()) return pages_.end();
    --it;
    return va - it->first < it->second.size ? it : pages_.end();
}

std::optional<Found> AddressSpace::lookup(std::uint64_t va) const {
    auto it = const_cast<AddressSpace*>(this)->containing(va);
    if (it == pages_.end()) return std::nullopt;
    return Found{it->first, it->second};
}

// Cut the mapping around `va` into pieces of the next smaller size until the piece holding `va` is no larger
// than `size` and starts at or before `va` on a `size` boundary.
void AddressSpace::cut_until_fits(std::uint64_t va, std::uint64_t size) {
    for (;;) {
        auto it = containing(va);
        if (it == pages_.end() || it->second.size <= size) return;
        Mapping big = it->second;
        std::uint64_t base = it->first;
        auto after = pages_.erase(it); // the pieces go just before this, in ascending order
        std::uint64_t piece = smaller(big.size);
        for (std::uint64_t off = 0; off < big.size; off += piece) {
            Mapping m = big;
            m.frame = big.frame + off;
            m.size = piece;
            pages_.emplace_hint(after, base + off, m);
        }
    }
}

Outcome AddressSpace::map(std::uint64_t va, std::uint64_t pa, std::uint64_t bytes, std::uint64_t size,
                          Rights rights, Cache cache, bool global) {
    Outcome out;
    if (auto e = check(va, bytes, size)) return Outcome{e, false};
    if (pa % size != 0) return Outcome{Error::misaligned, false};
    const std::uint64_t max_phys = 1ull << 52;
    if (pa >= max_phys || bytes > max_phys - pa) return Outcome{Error::bad_frame, false};

    for (std::uint64_t off = 0; off < bytes; off += size) {
        const std::uint64_t page = va + off;
        const Mapping fresh{pa + off, size, rights, cache, global};
        cut_until_fits(page, size);
        // Everything left inside [page, page + size) is no larger than the new page: it gives way.
        auto it = pages_.lower_bound(page);
        while (it != pages_.end() && it->first - page < size) {
            if (stale(it->second, fresh.frame + (it->first - page), fresh)) out.needs_flush = true;
            it = pages_.erase(it);
        }
        pages_[page] = fresh;
    }
    return out;
}

Outcome AddressSpace::unmap(std::uint64_t va, std::uint64_t bytes) {
    Outcome out;
    if (auto e = check(va, bytes, k4)) return Outcome{e, false};
    const std::uint64_t last = va + bytes - 1;
    std::vector<std::uint64_t> doomed;
    if (auto it = containing(va); it != pages_.end()) doomed.push_back(it->first);
    for (auto it = pages_.lower_bound(va); it != pages_.end() && it->first <= last; ++it)
        doomed.push_back(it->first);
    for (std::uint64_t page : doomed) out.needs_flush |= pages_.erase(page) > 0;
    return out;
}

Outcome AddressSpace::protect(std::uint64_t va, std::uint64_t bytes, Rights rights) {
    Outcome out;
    if (auto e = check(va, bytes, k4)) return Outcome{e, false};
    const std::uint64_t last = va + bytes - 1;
    // Both ends become page boundaries: cut what straddles them down to pieces that start there.
    for (std::uint64_t boundary : {va, last + 1}) {
        for (;;) {
            auto it = containing(boundary);
            if (it == pages_.end() || it->first == boundary) break;
            cut_until_fits(boundary, it->second.size == g1 ? m2 : k4);
        }
    }
    for (auto it = pages_.lower_bound(va); it != pages_.end() && it->first <= last; ++it) {
        Mapping after = it->second;
        after.rights = rights;
        if (stale(it->second, after.frame, after)) out.needs_flush = true;
        it->second = after;
    }
    return out;
}

} // namespace models
