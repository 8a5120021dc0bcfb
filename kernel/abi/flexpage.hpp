// Checking flexpage arguments (ArgType::fpage): a naturally aligned power-of-two region, 2^12 to 2^21 bytes,
// with read/write/exec rights in bits 6..8 and bits 9..11 reserved (the encoding is abi.hpp's `fpage`).
// Ring 3 can use these to build only what the kernel accepts; the kernel checks every flexpage with them.
#pragma once

#include <cstdint>

#include "kernel/abi/abi.hpp"

namespace janus::abi {

namespace fpage {

/// Well formed: order in range, reserved bits clear, base aligned to 2^order.
inline bool well_formed(std::uint64_t f) {
    unsigned o = order(f);
    if (o < min_order || o > max_order) return false;
    if (f & reserved_mask) return false;
    return (base(f) & ((std::uint64_t{1} << o) - 1)) == 0;
}

inline std::uint64_t bytes(std::uint64_t f) {
    return std::uint64_t{1} << order(f);
}

} // namespace fpage

/// [base, base + bytes) lies below the user/kernel boundary (checked without overflow).
inline bool user_range(std::uint64_t base, std::uint64_t bytes) {
    return base <= user_end && bytes <= user_end - base;
}

} // namespace janus::abi
