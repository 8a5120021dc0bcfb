// A protection domain's kernel-memory quota ("client pays", as in Genode).
//
// Invariant: used <= limit. `used` is the sum of the charges of the live objects the domain paid for; `limit`
// is what its creator moved to it at pd_create (less what it moved on to domains it created itself). Limits
// only move, so the limits of all live domains add up to the boot quota.
#pragma once

#include <cstdint>

namespace kernel {

struct Quota {
    std::uint64_t limit = 0;
    std::uint64_t used = 0;

    std::uint64_t available() const { return limit - used; }
    bool covers(std::uint64_t bytes) const { return bytes <= available(); }
};

} // namespace kernel
