// What the kernel gives the root task at start (the contract docs/user.md proposes; the kernel's root-task
// start-up in the IPC issue implements it).
#pragma once

#include <cstdint>

#include "user/lib/abi_types.hpp"

namespace janus::user::root {

/// Capabilities the kernel installs before the root task runs, with all rights.
inline constexpr Sel own_pd{1};      ///< the root task's protection domain
inline constexpr Sel own_thread{2};  ///< its first thread
inline constexpr Sel irq_control{3}; ///< authority over every interrupt line

/// Selectors from here up are empty at start.
inline constexpr std::uint64_t first_free_selector = 4;

} // namespace janus::user::root
