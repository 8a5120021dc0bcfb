// Where init puts things in a component's address space (docs/init.md "The component environment").
//
// A component's ELF segments must lie in [image_begin, image_end); above that each window is init's alone, so
// no segment can collide with the pool, the environment page or the UTCB. The windows are far apart and 2 MiB
// aligned so a component's own page tables for them never mix.
#pragma once

#include <cstdint>

#include "user/lib/component.hpp"

namespace janus::init::layout {

inline constexpr std::uint64_t page = 4096;

/// ELF segments: above page 0 (which stays unmapped, so a null pointer faults) and below 64 GiB.
inline constexpr std::uint64_t image_begin = page;
inline constexpr std::uint64_t image_end = 0x0000'0010'0000'0000;
/// The component's pool (`memory` in the configuration), read-write.
inline constexpr std::uint64_t pool = 0x0000'0020'0000'0000;
/// The environment page (user/lib/component.hpp), read-only.
inline constexpr std::uint64_t env = janus::component::env_address;
/// init's exit probe (exit_probe.S), read/execute: 2 MiB above the environment page.
inline constexpr std::uint64_t probe = env + 0x20'0000;
/// The first thread's UTCB: the last user page, as for the root task.
inline constexpr std::uint64_t utcb = 0x0000'7fff'ffff'f000;

/// The largest pool a configuration may ask for (docs/init.md: `memory` up to 64 MiB) fits below env.
static_assert(image_end <= pool && pool + (std::uint64_t{64} << 20) <= env && env < probe && probe < utcb,
              "the windows are ordered and disjoint");

} // namespace janus::init::layout
