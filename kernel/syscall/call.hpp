// What a syscall handler works with, and small helpers for its checks. Every handler checks in the order of
// docs/abi.md ("Which error wins") and changes nothing until every check has passed:
//   1 decode (invalid_argument, bad_flexpage)   2 selectors (bad_selector)   3 types (wrong_type)
//   4 rights (missing_rights)   5 state-dependent arguments (invalid_argument)
//   6 destination slot (bad_selector, self_reference, slot_occupied)
//   7 addresses and memory state (bad_address, not_mapped, missing_rights, mapping_conflict)
//   8 quota (quota_exhausted)
// Within a stage, arguments are taken in register order.
#pragma once

#include <cstdint>

#include "kernel/abi/abi.hpp"
#include "kernel/cap/cap_space.hpp"
#include "kernel/cap/derivation.hpp"
#include "kernel/kmem/object.hpp"
#include "kernel/lib/result.hpp"

namespace kernel {

class Kernel;
class Thread;

struct Call {
    Kernel& kernel;
    Thread& caller;
    Pd& pd; ///< the caller's protection domain
    std::uint64_t arg[janus::abi::max_args];
    std::uint64_t result[janus::abi::max_results] = {};
};

// Handlers, one per syscall in the spec: Error sys_<name>(Call&).
#define JANUS_SYSCALL(number, name, meaning, inputs, results) Error sys_##name(Call& call);
#include "kernel/abi/abi.def"

inline bool has_type(const Slot& s, ObjectType type) {
    return s.object()->type == type;
}
inline bool has_rights(const Slot& s, std::uint64_t rights) {
    return (s.rights() & rights) == rights;
}

/// A rights argument with bits above the defined ones is malformed (invalid_argument).
inline bool valid_rights(std::uint64_t rights) {
    return (rights & ~janus::abi::rights::all) == 0;
}

/// A page-aligned user address whose page lies below the user/kernel boundary.
inline bool user_page(std::uint64_t va) {
    return va % janus::abi::page_bytes == 0 && va <= janus::abi::user_end - janus::abi::page_bytes;
}

/// Stages 2-4 for one argument: the caller's capability `sel`, naming an object of `type`, with at least
/// `rights`; or the first error.
inline Error lookup(Call& call, std::uint64_t sel, ObjectType type, std::uint64_t rights, Slot*& out) {
    out = call.pd.space.cap(sel);
    if (!out) return Error::bad_selector;
    if (!has_type(*out, type)) return Error::wrong_type;
    if (!has_rights(*out, rights)) return Error::missing_rights;
    return Error::ok;
}

/// Stage 6: the empty slot `sel` of `space`, or the error.
inline Error destination(const CapSpace& space, std::uint64_t sel, Slot*& out) {
    out = space.slot(sel);
    if (!out) return Error::bad_selector;
    if (!out->empty()) return Error::slot_occupied;
    return Error::ok;
}

/// Stage 8 and the effect of every create call: `made` is the factory's result; the new object's root
/// capability, with every right, goes to `dest`.
template <typename T>
Error install(const Result<T*, Error>& made, Slot& dest) {
    if (!made) return made.error();
    cap_install_root(dest, *made.value(), janus::abi::rights::all);
    return Error::ok;
}

} // namespace kernel
