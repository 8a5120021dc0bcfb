// Scratch selectors for the suite's tests. Every test empties the slots it used before it ends, so tests do
// not depend on each other's order.
#pragma once

#include "user/lib/root_task.hpp"
#include "user/lib/syscall.hpp"

namespace roottask {

using janus::user::Sel;

/// The i-th scratch slot (i < 16), above the well-known selectors.
constexpr Sel scratch(unsigned i) {
    return Sel{janus::user::root::first_free_selector + 4 + i};
}

/// Delete whatever is in the scratch slots (a test's clean-up; empty slots are fine).
inline void clear_scratch(unsigned count) {
    for (unsigned i = 0; i < count; ++i) (void)janus::user::sys::cap_delete(scratch(i));
}

} // namespace roottask
