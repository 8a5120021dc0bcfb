// Normalisation of loader memory maps: sort, resolve overlaps by precedence, merge, page-align usable RAM.
#include "kernel/abi/abi.hpp"
#include "kernel/boot/bootinfo.hpp"

namespace kernel::boot {

namespace {

constexpr std::uint64_t page_size = janus::abi::page_bytes;
constexpr std::size_t max_raw = 256;

MemoryType from_e820(std::uint32_t t) {
    switch (t) {
    case 1:
        return MemoryType::usable;
    case 3:
        return MemoryType::acpi_reclaimable;
    case 4:
        return MemoryType::acpi_nvs;
    case 5:
        return MemoryType::bad;
    default:
        return MemoryType::reserved;
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

/// Builds the map from maximal runs of one kind, in address order. A run is emitted when it ends; usable runs
/// shrink to whole pages first, so capacity is checked against the final map only (a usable sliver that
/// vanishes never costs a slot). Emitted regions never touch a same-kind neighbour: consecutive runs differ
/// in kind or are separated by a gap, and trimming only widens gaps.
class Builder {
public:
    explicit Builder(MemoryMap& out) : out_(out) { out_.count = 0; }

    /// Extend the current run with [lo, hi) of `type`; lo is at or after the end of everything added so far.
    bool add(std::uint64_t lo, std::uint64_t hi, MemoryType type) {
        if (open_ && type == type_ && lo == end_) {
            end_ = hi;
            return true;
        }
        if (!flush()) return false;
        open_ = true;
        base_ = lo;
        end_ = hi;
        type_ = type;
        return true;
    }

    bool finish() { return flush(); }

private:
    bool flush() {
        if (!open_) return true;
        open_ = false;
        std::uint64_t base = base_, end = end_;
        if (type_ == MemoryType::usable) {
            std::uint64_t up = base % page_size ? base + (page_size - base % page_size) : base;
            end -= end % page_size;
            if (up < base || up >= end) return true; // rounding up wrapped, or no whole page is left
            base = up;
        }
        if (out_.count == MemoryMap::capacity) return false;
        out_.regions[out_.count++] = {base, end - base, type_};
        return true;
    }

    MemoryMap& out_;
    bool open_ = false;
    std::uint64_t base_ = 0, end_ = 0;
    MemoryType type_ = MemoryType::usable;
};

Result<Ok, BootError> fail_empty(MemoryMap& out, BootError e) {
    out.count = 0;
    return fail(e);
}

} // namespace

Result<Ok, BootError> normalise_memory_map(const RawRegion* raw, std::size_t count, MemoryMap& out) {
    out.count = 0;
    if (count > max_raw) return fail(BootError{BootErrorKind::too_many_entries, "memory map", 0, count});

    // Every region boundary; between two consecutive boundaries the covering set of raw entries is constant.
    std::uint64_t bounds[2 * max_raw];
    std::size_t nb = 0;
    for (std::size_t i = 0; i < count; ++i) {
        if (raw[i].size == 0) continue;
        if (raw[i].size > ~std::uint64_t{0} - raw[i].base) {
            return fail(BootError{BootErrorKind::bad_range, "memory map entry wraps around", raw[i].base,
                                  raw[i].size});
        }
        bounds[nb++] = raw[i].base;
        bounds[nb++] = raw[i].base + raw[i].size;
    }
    sort(bounds, nb);

    // Each elementary interval takes the highest kind among the entries covering it; uncovered ones are gaps.
    Builder map(out);
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
        if (covered && !map.add(lo, hi, type)) {
            return fail_empty(out,
                              {BootErrorKind::too_many_entries, "normalised memory map", 0, out.count + 1});
        }
    }
    if (!map.finish())
        return fail_empty(out, {BootErrorKind::too_many_entries, "normalised memory map", 0, out.count + 1});
    return Ok{};
}

std::uint64_t MemoryMap::usable_bytes() const {
    std::uint64_t total = 0;
    for (const MemoryRegion& r : *this)
        if (r.type == MemoryType::usable) total += r.size;
    return total;
}

void put(Sink& s, const MemoryMap& m) {
    for (const MemoryRegion& r : m) {
        print_to(s, "memory: [", hex(r.base, 12), ", ", hex(r.end(), 12), ") ", to_string(r.type), " (",
                 size(r.size), ")\n");
    }
}

} // namespace kernel::boot
