// A domain's index of its mapping nodes by page address: an AVL tree threaded through the nodes themselves
// (Node::left, right, balance), so it costs no memory beyond the nodes the domain already pays for.
//
// Every operation is iterative with a fixed-size path (an AVL tree of n nodes is at most 1.44 log2(n + 2)
// high; a user address space has at most 2^35 pages, so 64 entries always suffice): O(log n), no recursion,
// no allocation.
#pragma once

#include <cstdint>

#include "kernel/mapdb/node.hpp"

namespace kernel::mapdb {

class VaIndex {
public:
    static constexpr unsigned max_height = 64;

    Node* root = nullptr;

    /// The node at page `va`, or nullptr.
    Node* find(std::uint64_t va) const;
    /// The node with the lowest address >= `va`, or nullptr.
    Node* lower_bound(std::uint64_t va) const;
    /// Adds `n` (n->va set, no node at that address yet).
    void insert(Node& n);
    /// Removes `n`, which is in this index.
    void erase(Node& n);
    bool empty() const { return root == nullptr; }
};

} // namespace kernel::mapdb
