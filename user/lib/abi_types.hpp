// The C++ types that syscall stubs take for each argument type of the ABI specification (JANUS_ARG_TYPE in
// kernel/abi/abi.def). Every argument travels as one 64-bit register; the type only keeps call sites honest.
//
// Selectors get a distinct type because a selector passed where a word belongs (or the reverse) is the
// mistake ring-3 code makes most; the other argument types are words that programs compute with arithmetic
// (rights masks, flexpages, addresses), so they stay plain integers under descriptive names.
#pragma once

#include <cstdint>

#include "kernel/abi/abi.hpp"

namespace janus::user {

/// Capability selector: an index into the caller's capability space. `Sel{0}` is never valid.
enum class Sel : std::uint64_t {};

constexpr std::uint64_t raw(Sel s) {
    return static_cast<std::uint64_t>(s);
}

using Rights = std::uint64_t; ///< janus::abi::rights bits
using Badge = std::uint64_t;  ///< 0 means no badge
using Fpage = std::uint64_t;  ///< janus::abi::fpage encoding
using Vaddr = std::uint64_t;  ///< user virtual address
using Word = std::uint64_t;   ///< plain value, range per syscall

/// ArgType -> C++ parameter type. There is no default: an argument type added to the specification without a
/// mapping here fails to compile (see the static_assert below).
template <abi::ArgType T>
struct ArgOf;
template <>
struct ArgOf<abi::ArgType::sel> {
    using type = Sel;
};
template <>
struct ArgOf<abi::ArgType::rights> {
    using type = Rights;
};
template <>
struct ArgOf<abi::ArgType::badge> {
    using type = Badge;
};
template <>
struct ArgOf<abi::ArgType::fpage> {
    using type = Fpage;
};
template <>
struct ArgOf<abi::ArgType::vaddr> {
    using type = Vaddr;
};
template <>
struct ArgOf<abi::ArgType::word> {
    using type = Word;
};

template <abi::ArgType T>
using Arg = typename ArgOf<T>::type;

// Each type passes through exactly one 64-bit register.
#define JANUS_ARG_TYPE(name, meaning)                                                                        \
    static_assert(sizeof(Arg<abi::ArgType::name>) == sizeof(std::uint64_t), "argument type " #name);
#include "kernel/abi/abi.def"

} // namespace janus::user
