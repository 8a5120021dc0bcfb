// hostsim internal: sized plain accesses to host memory, the one place where simulated memory is read and
// written on behalf of the simulated CPUs.
#pragma once

#include <cstdint>

namespace hostsim::raw {

inline std::uint64_t load(const volatile void* addr, unsigned size) {
    switch (size) {
    case 1:
        return __atomic_load_n(static_cast<const volatile std::uint8_t*>(addr), __ATOMIC_RELAXED);
    case 2:
        return __atomic_load_n(static_cast<const volatile std::uint16_t*>(addr), __ATOMIC_RELAXED);
    case 4:
        return __atomic_load_n(static_cast<const volatile std::uint32_t*>(addr), __ATOMIC_RELAXED);
    default:
        return __atomic_load_n(static_cast<const volatile std::uint64_t*>(addr), __ATOMIC_RELAXED);
    }
}

inline void store(volatile void* addr, unsigned size, std::uint64_t v) {
    switch (size) {
    case 1:
        __atomic_store_n(static_cast<volatile std::uint8_t*>(addr), static_cast<std::uint8_t>(v),
                         __ATOMIC_RELAXED);
        break;
    case 2:
        __atomic_store_n(static_cast<volatile std::uint16_t*>(addr), static_cast<std::uint16_t>(v),
                         __ATOMIC_RELAXED);
        break;
    case 4:
        __atomic_store_n(static_cast<volatile std::uint32_t*>(addr), static_cast<std::uint32_t>(v),
                         __ATOMIC_RELAXED);
        break;
    default:
        __atomic_store_n(static_cast<volatile std::uint64_t*>(addr), v, __ATOMIC_RELAXED);
        break;
    }
}

/// The value as stored in `size` bytes (what a later load returns).
inline std::uint64_t truncate(std::uint64_t v, unsigned size) {
    return size >= 8 ? v : v & ((std::uint64_t{1} << (size * 8)) - 1);
}

} // namespace hostsim::raw
