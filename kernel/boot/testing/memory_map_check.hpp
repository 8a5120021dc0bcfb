// Checks on a normalised MemoryMap for tests, property tests and fuzz targets (host only).
//
// memory_map_violation() restates MemoryMap's documented invariants independently of the code that
// establishes them; Span gives tests a readable [base, end) form to compare whole maps with.
#pragma once

#include <cstdint>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "kernel/boot/bootinfo.hpp"

namespace kernel::boot::testing {

inline constexpr std::uint64_t page = 4096;

/// Kernel strings for gtest messages.
inline std::string str(kernel::StringView v) {
    return std::string(v.data(), v.size());
}

/// Empty if `m` satisfies the invariants, else what is wrong with it.
inline std::string memory_map_violation(const MemoryMap& m) {
    std::ostringstream why;
    if (m.count > MemoryMap::capacity) {
        why << "count " << m.count << " exceeds capacity";
        return why.str();
    }
    for (std::size_t i = 0; i < m.count; ++i) {
        const MemoryRegion& r = m.regions[i];
        if (r.size == 0)
            why << "region " << i << " is empty";
        else if (r.base + r.size < r.base || r.base + r.size == 0)
            why << "region " << i << " wraps";
        else if (static_cast<unsigned>(r.type) > static_cast<unsigned>(MemoryType::reserved))
            why << "region " << i << " has no valid type";
        else if (r.type == MemoryType::usable && (r.base % page || r.size % page))
            why << "usable region " << i << " is not page-aligned";
        else if (i > 0) {
            const MemoryRegion& p = m.regions[i - 1];
            if (p.base + p.size > r.base)
                why << "region " << i << " is unsorted or overlaps its predecessor";
            else if (p.base + p.size == r.base && p.type == r.type)
                why << "regions " << i - 1 << " and " << i << " are adjacent, equal and not merged";
        }
        if (!why.str().empty()) {
            why << " [0x" << std::hex << r.base << " size 0x" << r.size << " type " << std::dec
                << static_cast<unsigned>(r.type) << "]";
            return why.str();
        }
    }
    return {};
}

/// A region as [base, end), for readable expectations.
struct Span {
    std::uint64_t base;
    std::uint64_t end;
    MemoryType type;

    friend bool operator==(const Span&, const Span&) = default;
    friend std::ostream& operator<<(std::ostream& os, const Span& s) {
        return os << "[0x" << std::hex << s.base << ", 0x" << s.end << ") " << std::dec
                  << str(to_string(s.type));
    }
};

inline std::vector<Span> spans(const MemoryMap& m) {
    std::vector<Span> v;
    for (const MemoryRegion& r : m) v.push_back({r.base, r.base + r.size, r.type});
    return v;
}

} // namespace kernel::boot::testing
