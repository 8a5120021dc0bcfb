// Delegation trees as preorder lists with depths: the kernel's one representation of "who got it from whom",
// for capabilities (kernel/cap, over Slots) and for memory (kernel/mapdb, over mapping Nodes); the invariant
// checker checks both with link_fault() below. A node's descendants are the nodes that follow it with a
// greater depth, so revoking walks forward and needs neither recursion nor a stack, and every operation's
// work is proportional to the nodes it visits.
//
// A node type T takes part through a links policy L (the node types pack their links differently):
//   static T* prev(const T&);   static T* next(const T&);   static std::uint32_t depth(const T&);
//   static void set_prev(T&, T*);   static void set_next(T&, T*);   static void set_depth(T&, std::uint32_t);
//
// Invariants of a well-formed tree, kept by every operation here and checked by link_fault(): the root has
// depth 0 and no predecessor; a node's successor links back to it; depths grow by at most one from a node to
// the next; every node but the root has a parent, the nearest node before it one level up.
#pragma once

#include <cstddef>
#include <cstdint>

namespace kernel::preorder {

/// Makes `child` (unlinked) the first child of `parent`: right after it in the list, one level deeper.
template <typename L, typename T>
void link_first_child(T& parent, T& child) {
    T* after = L::next(parent);
    L::set_depth(child, L::depth(parent) + 1);
    L::set_prev(child, &parent);
    L::set_next(child, after);
    if (after) L::set_prev(*after, &child);
    L::set_next(parent, &child);
}

/// Makes `n` a tree of its own (a root without descendants).
template <typename L, typename T>
void link_root(T& n) {
    L::set_depth(n, 0);
    L::set_prev(n, nullptr);
    L::set_next(n, nullptr);
}

/// Takes `n` out of the list, joining its neighbours, and clears its links. The tree stays well formed if `n`
/// has no descendants; remove_descendants() also uses it on a node whose descendants go right after it.
template <typename L, typename T>
void splice_out(T& n) {
    T* before = L::prev(n);
    T* after = L::next(n);
    if (before) L::set_next(*before, after);
    if (after) L::set_prev(*after, before);
    L::set_prev(n, nullptr);
    L::set_next(n, nullptr);
}

/// `with` (unlinked) takes the place of `old` in its tree: its depth and both links, and its neighbours point
/// at `with`. `old`'s own links are left as they were: the caller clears it.
template <typename L, typename T>
void take_place(T& old, T& with) {
    T* before = L::prev(old);
    T* after = L::next(old);
    L::set_depth(with, L::depth(old));
    L::set_prev(with, before);
    L::set_next(with, after);
    if (before) L::set_next(*before, &with);
    if (after) L::set_prev(*after, &with);
}

/// The first descendant of `n` (the node after it if that is deeper), or nullptr.
template <typename L, typename T>
T* first_descendant(const T& n) {
    T* next = L::next(n);
    return next && L::depth(*next) > L::depth(n) ? next : nullptr;
}

/// The descendant after `d` in preorder within the subtree of `top`, or nullptr.
template <typename L, typename T>
T* next_descendant(const T& top, const T& d) {
    T* next = L::next(d);
    return next && L::depth(*next) > L::depth(top) ? next : nullptr;
}

/// Removes every descendant of `top` from the front of its subtree, calling `removed(d)` for each once it is
/// out of the list; `top` stays.
template <typename L, typename T, typename Removed>
void remove_descendants(T& top, Removed removed) {
    while (T* d = first_descendant<L>(top)) {
        splice_out<L>(*d);
        removed(*d);
    }
}

/// The parent of `n`: the nearest node before it one level up (nullptr for a root).
template <typename L, typename T>
T* parent_of(const T& n) {
    if (L::depth(n) == 0) return nullptr;
    T* p = L::prev(n);
    while (p && L::depth(*p) >= L::depth(n)) p = L::prev(*p);
    return p;
}

/// What link_fault() found broken at a node.
enum class LinkFault : std::uint8_t {
    none,
    back_link_before,      ///< its predecessor's next is not the node
    back_link_after,       ///< its successor's prev is not the node
    depth_jump,            ///< its successor is more than one level deeper
    root_with_predecessor, ///< depth 0 but not at the head of its list
    no_parent,             ///< no node one level up before it (within `bound` steps back)
};

inline const char* describe(LinkFault f) {
    switch (f) {
    case LinkFault::none:
        return "none";
    case LinkFault::back_link_before:
        return "derivation back link broken before it";
    case LinkFault::back_link_after:
        return "derivation back link broken after it";
    case LinkFault::depth_jump:
        return "derivation depth jumps after it";
    case LinkFault::root_with_predecessor:
        return "a root of a derivation tree has a predecessor";
    case LinkFault::no_parent:
        return "has no parent in its derivation tree";
    }
    return "?";
}

/// The tree rules at one node, read-only and bounded: the walk back to the parent takes at most `bound`
/// steps, so a corrupted list cannot hang the checker. `parent` is set to the parent when one was found.
template <typename L, typename T>
LinkFault link_fault(const T& n, std::size_t bound, const T*& parent) {
    parent = nullptr;
    const T* before = L::prev(n);
    const T* after = L::next(n);
    if (before && L::next(*before) != &n) return LinkFault::back_link_before;
    if (after && L::prev(*after) != &n) return LinkFault::back_link_after;
    if (after && L::depth(*after) > std::uint64_t{L::depth(n)} + 1) return LinkFault::depth_jump;
    if (L::depth(n) == 0) return before ? LinkFault::root_with_predecessor : LinkFault::none;
    const T* p = before;
    for (std::size_t steps = 0; p && L::depth(*p) >= L::depth(n) && steps <= bound; ++steps) p = L::prev(*p);
    if (!p || L::depth(*p) + 1 != L::depth(n)) return LinkFault::no_parent;
    parent = p;
    return LinkFault::none;
}

} // namespace kernel::preorder
