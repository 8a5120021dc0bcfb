// Operations on derivation trees (see slot.hpp for the representation). Each keeps these invariants:
// every node of an object's tree names that object; the root has depth 0 and no predecessor; depths increase
// by at most one from a node to the next; a node's rights are a subset of its parent's; object.cap_count is
// the number of nodes. None of them checks arguments: the syscalls do that first.
#pragma once

#include <cstdint>

#include "kernel/cap/slot.hpp"

namespace kernel {

/// `dest` (empty) becomes the first capability of `object` (which has none), the root of its tree.
void cap_install_root(Slot& dest, Object& object, std::uint64_t rights);

/// True if `parent` can get another level of children (the depth counter has room).
bool cap_can_derive(const Slot& parent);

/// `dest` (empty) becomes a child of `parent`: same object, `rights` (a subset of the parent's), `badge`.
void cap_derive(Slot& parent, Slot& dest, std::uint64_t rights, std::uint64_t badge);

/// Moves `src` into `dest` (empty), keeping its place in the tree; `src` becomes empty. Its rights become
/// `rights` (a subset), and every capability derived from it loses the rights it lost.
void cap_move(Slot& src, Slot& dest, std::uint64_t rights);

/// Deletes every capability derived from `s`; `s` stays. Objects are not destroyed here (see lifetime.hpp):
/// `s` still names its object.
void cap_delete_descendants(Slot& s);

/// Deletes `s` and everything derived from it. If `s` was the root, its object has no capability left.
void cap_delete_subtree(Slot& s);

} // namespace kernel
