// Decoding flexpage arguments (ArgType::fpage in the ABI): a naturally aligned power-of-two region, 2^12 to
// 2^21 bytes, with read/write/exec rights in bits 6..8 and bits 9..11 reserved.
#pragma once

#include <cstdint>

#include "kernel/abi/abi.hpp"

namespace kernel {

namespace fpage = janus::abi::fpage;

/// Well formed: order in range, reserved bits clear, base aligned to 2^order.
inline bool flexpage_well_formed(std::uint64_t f) {
    unsigned order = fpage::order(f);
    if (order < fpage::min_order || order > fpage::max_order) return false;
    if (f & fpage::reserved_mask) return false;
    return (fpage::base(f) & ((std::uint64_t{1} << order) - 1)) == 0;
}

inline std::uint64_t flexpage_bytes(std::uint64_t f) {
    return std::uint64_t{1} << fpage::order(f);
}

/// [base, base + bytes) lies below the user/kernel boundary (checked without overflow).
inline bool user_range(std::uint64_t base, std::uint64_t bytes) {
    return base <= janus::abi::user_end && bytes <= janus::abi::user_end - base;
}

} // namespace kernel
