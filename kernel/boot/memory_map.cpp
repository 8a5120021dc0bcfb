// Normalisation of loader memory maps: sort, resolve overlaps by precedence, merge, page-align usable RAM.
#include "kernel/boot/bootinfo.hpp"

namespace kernel::boot {

namespace {

constexpr std::uint64_t page_size = 4096;
constexpr std::size_t max_raw = 256;

MemoryType from_e820(std::uint32_t t) {
    switch (t) {
    case 1: return MemoryType::usable;
    case 3: return MemoryType::acpi_reclaimable;
    case 4: return MemoryType::acpi_nvs;
    case 5: return MemoryType::bad;
    default: return MemoryType::reserved;
    }
}

void sort(std::uint64_t* v, std::size_t n) {
    for (std::size_t i = 1; i < n; ++i) {
        std::uint64_t x = v[i];
        std::size_t j = i;
        for (; j > 0 && v[j - 1] > x; --j) v[j] = v[j - 1];
        v[j] = x;
    }
}

bool append(MemoryMap& out, std::uint64_t base, std::uint64_t end, MemoryType type) {
    if (out.count > 0) {
        MemoryRegion& last = out.regions[out.count - 1];
        if (last.type == type && last.end() == base) {
            last.size = end - last.base;
            return true;
        }
    }
    if (out.count == MemoryMap::capacity) return false;
    out.regions[out.count++] = {base, end - base, type};
    return true;
}

} // namespace

Result<Ok, BootError> normalise_memory_map(const RawRegion* raw, std::size_t count, MemoryMap& out) {
    out.count = 0;
    if (count > max_raw)
        return fail(BootError{BootErrorKind::too_many_entries, "memory map", 0, count});

    // Every region boundary; between two consecutive boundaries the covering set of raw entries is constant.
    std::uint64_t bounds[2 * max_raw];
    std::size_t nb = 0;
    for (std::size_t i = 0; i < count; ++i) {
        if (raw[i].size == 0) continue;
        if (raw[i].size > ~std::uint64_t{0} - raw[i].base)
            return fail(BootError{BootErrorKind::bad_range, "memory map entry wraps around", raw[i].base,
                                  raw[i].size});
        bounds[nb++] = raw[i].base;
        bounds[nb++] = raw[i].base + raw[i].size;
    }
    sort(bounds, nb);

    // Pass 1: exact types over each elementary interval, merged when adjacent and equal.
    MemoryMap& merged = out;
    for (std::size_t k = 0; k + 1 < nb; ++k) {
        std::uint64_t lo = bounds[k], hi = bounds[k + 1];
        if (lo == hi) continue;
        bool covered = false;
        MemoryType type = MemoryType::usable;
        for (std::size_t i = 0; i < count; ++i) {
            if (raw[i].size == 0 || raw[i].base > lo || raw[i].base + raw[i].size < hi) continue;
            MemoryType t = from_e820(raw[i].e820_type);
            if (!covered || t > type) type = t;
            covered = true;
        }
        if (covered && !append(merged, lo, hi, type))
            return fail(BootError{BootErrorKind::too_many_entries, "normalised memory map", 0, merged.count});
    }

    // Pass 2 (in place): usable RAM shrinks to whole pages; what is left of a region disappears entirely.
    std::size_t w = 0;
    for (std::size_t r = 0; r < merged.count; ++r) {
        MemoryRegion m = merged.regions[r];
        if (m.type == MemoryType::usable) {
            std::uint64_t base = m.base % page_size ? m.base + (page_size - m.base % page_size) : m.base;
            std::uint64_t end = m.end() - m.end() % page_size;
            if (base < m.base || base >= end) continue; // rounding up wrapped, or nothing whole is left
            m = {base, end - base, MemoryType::usable};
        }
        merged.regions[w++] = m;
    }
    merged.count = w;
    return Ok{};
}

std::uint64_t MemoryMap::usable_bytes() const {
    std::uint64_t total = 0;
    for (const MemoryRegion& r : *this)
        if (r.type == MemoryType::usable) total += r.size;
    return total;
}

void put(Sink& s, const MemoryMap& m) {
    for (const MemoryRegion& r : m)
        print_to(s, "memory: [", hex(r.base, 12), ", ", hex(r.end(), 12), ") ", to_string(r.type), " (",
                 size(r.size), ")\n");
}

} // namespace kernel::boot
