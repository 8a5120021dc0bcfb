// The generator's look-ups in the kernel's state (program.cpp): which selectors hold what, which pages a
// domain maps. Compiled without coverage instrumentation (fuzz/coverage_ignorelist.txt): they walk a
// capability space slot by slot and a domain's mapping index node by node through the kernel's own inline
// code, whose comparison hooks, instrumented in the generator's translation unit, took a tenth of
// fuzz_syscalls' time and said nothing about the kernel. The choices the generator makes from their answers
// stay instrumented.
#pragma once

#include <cstdint>

#include "kernel/abi/abi.hpp"

namespace kernel {
class CapSpace;
class Pd;
} // namespace kernel

namespace fuzzsys {

/// The v-th (cyclically) selector of `space` holding a capability to an object of `type` (none: of any
/// type), or 0 if none does.
std::uint64_t nth_live(const kernel::CapSpace& space, std::uint8_t v, janus::abi::ObjectType type);
/// The v-th (cyclically) empty selector of `space`, or 0 if none is.
std::uint64_t nth_empty(const kernel::CapSpace& space, std::uint8_t v);
/// The v-th (cyclically) page `pd` maps, or `none` if it maps none.
std::uint64_t nth_mapped_page(const kernel::Pd& pd, std::uint8_t v, std::uint64_t none);

} // namespace fuzzsys
