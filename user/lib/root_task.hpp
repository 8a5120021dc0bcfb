// What the kernel gives the root task at start: the selectors of janus::abi::root_sel (docs/abi.md, "At
// boot"), as typed selectors for ring-3 code.
#pragma once

#include <cstdint>

#include "kernel/abi/abi.hpp"
#include "user/lib/abi_types.hpp"

namespace janus::user::root {

/// Capabilities the kernel installs before the root task runs, each with every right.
inline constexpr Sel own_pd{abi::root_sel::pd};                 ///< the root task's protection domain
inline constexpr Sel own_thread{abi::root_sel::thread};         ///< its first thread
inline constexpr Sel irq_control{abi::root_sel::irq_control};   ///< authority over interrupt lines
inline constexpr Sel io_control{abi::root_sel::io_control};     ///< authority over I/O ports
inline constexpr Sel mmio_control{abi::root_sel::mmio_control}; ///< authority over device memory

/// Selectors above the boot capabilities are empty at start.
inline constexpr std::uint64_t first_free_selector = abi::root_sel::mmio_control + 1;

} // namespace janus::user::root
