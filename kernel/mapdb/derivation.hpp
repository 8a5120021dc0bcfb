// The derivation trees of mapping nodes (node.hpp): the kernel's preorder lists with depths
// (kernel/lib/preorder_tree.hpp) over the nodes' own links. Every operation is iterative, its work
// proportional to the nodes it visits, never recursive in the depth of a tree.
#pragma once

#include <cstdint>
#include <limits>

#include "kernel/lib/preorder_tree.hpp"
#include "kernel/mapdb/node.hpp"

namespace kernel::mapdb {

/// Deepest a node may be: a copy of a node this deep is refused (invalid_argument). Only reachable with
/// 2^32 nodes, i.e. never within any quota; checked so that depths cannot wrap.
inline constexpr std::uint32_t max_depth = std::numeric_limits<std::uint32_t>::max();

/// How a Node takes part in a preorder tree.
struct NodeLinks {
    static Node* prev(const Node& n) { return n.prev; }
    static Node* next(const Node& n) { return n.next; }
    static std::uint32_t depth(const Node& n) { return n.depth; }
    static void set_prev(Node& n, Node* p) { n.prev = p; }
    static void set_next(Node& n, Node* p) { n.next = p; }
    static void set_depth(Node& n, std::uint32_t d) { n.depth = d; }
};

/// Makes `child` (unlinked) the first child of `parent`: right after it in the list, one level deeper.
inline void link_child(Node& parent, Node& child) {
    preorder::link_first_child<NodeLinks>(parent, child);
}

/// Makes `n` a tree of its own (a root without descendants).
inline void link_root(Node& n) {
    preorder::link_root<NodeLinks>(n);
}

/// Takes `n`, which has no descendants (any more), out of its tree.
inline void unlink(Node& n) {
    preorder::splice_out<NodeLinks>(n);
}

/// The first descendant of `n` (the node after it if that is deeper), or nullptr.
inline Node* first_descendant(const Node& n) {
    return preorder::first_descendant<NodeLinks>(n);
}

/// The descendant after `d` in preorder within the subtree of `top`, or nullptr.
inline Node* next_descendant(const Node& top, const Node& d) {
    return preorder::next_descendant<NodeLinks>(top, d);
}

/// The parent of `n`: the nearest node before it one level up (nullptr for a root).
inline Node* parent_of(const Node& n) {
    return preorder::parent_of<NodeLinks>(n);
}

} // namespace kernel::mapdb
