// The derivation trees of mapping nodes (node.hpp): a preorder list with depths. Every operation is
// iterative, its work proportional to the nodes it visits, never recursive in the depth of a tree.
#pragma once

#include <cstdint>
#include <limits>

#include "kernel/mapdb/node.hpp"

namespace kernel::mapdb {

/// Deepest a node may be: a copy of a node this deep is refused (invalid_argument). Only reachable with
/// 2^32 nodes, i.e. never within any quota; checked so that depths cannot wrap.
inline constexpr std::uint32_t max_depth = std::numeric_limits<std::uint32_t>::max();

/// Makes `child` (unlinked) the first child of `parent`: right after it in the list, one level deeper.
inline void link_child(Node& parent, Node& child) {
    child.depth = parent.depth + 1;
    child.prev = &parent;
    child.next = parent.next;
    if (parent.next) parent.next->prev = &child;
    parent.next = &child;
}

/// Makes `n` a tree of its own (a root without descendants).
inline void link_root(Node& n) {
    n.depth = 0;
    n.prev = n.next = nullptr;
}

/// Takes `n`, which has no descendants (any more), out of its tree.
inline void unlink(Node& n) {
    if (n.prev) n.prev->next = n.next;
    if (n.next) n.next->prev = n.prev;
    n.prev = n.next = nullptr;
}

/// The first descendant of `n` (the node after it if that is deeper), or nullptr.
inline Node* first_descendant(const Node& n) {
    return n.next && n.next->depth > n.depth ? n.next : nullptr;
}

/// The descendant after `d` in preorder within the subtree of `top`, or nullptr.
inline Node* next_descendant(const Node& top, const Node& d) {
    return d.next && d.next->depth > top.depth ? d.next : nullptr;
}

/// The parent of `n`: the nearest node before it one level up (nullptr for a root).
inline Node* parent_of(const Node& n) {
    if (n.depth == 0) return nullptr;
    Node* p = n.prev;
    while (p && p->depth >= n.depth) p = p->prev;
    return p;
}

} // namespace kernel::mapdb
