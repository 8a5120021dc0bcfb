// A mapping-database node: one 4 KiB page of one protection domain's address space (the ABI's `mapping`
// charge is exactly its size). A node belongs to two structures at once:
//
//  * its frame's derivation tree, stored as seL4 stores capability trees: a doubly linked list in preorder
//    with each node's depth. A node's descendants are the nodes that follow it with greater depth; its parent
//    is the nearest node before it with depth one less. Roots (depth 0) are the memory the boot path gave the
//    root domain (grant_root_memory); UTCB nodes stand alone (no links, depth 0). Device memory hangs below
//    the anchor node of its mmio object (depth 0, in no domain): mmio_map makes the anchor's children.
//  * its domain's index: an AVL tree keyed by the page address (va_index.hpp).
//
// Invariants (kernel/check/check_memory.cpp): a child has its parent's frame (an anchor's child: a frame of
// the anchor's range), its memory type and a subset of its rights; a node is in the index of the domain it
// names, at its address; the page-table entry at that address translates to the node's frame with the node's
// rights and memory type, and is absent exactly when the node has no access right (rights 0 or grant only).
#pragma once

#include <cstdint>

#include "kernel/abi/abi.hpp"

namespace kernel::mapdb {

struct Domain; // domain.hpp

/// Node flags.
namespace flag {
inline constexpr std::uint8_t paid = 1; ///< charged to `pd` (the ABI's mapping charge); boot nodes are not
inline constexpr std::uint8_t utcb = 2; ///< a thread's UTCB page: no derivation, never delegated or unmapped
/// Memory type (none of the two: write-back). Device mappings carry their mmio object's type; a derived node
/// has its parent's, so delegation never changes a page's memory type (x86 forbids aliasing types).
inline constexpr std::uint8_t write_combining = 4;
inline constexpr std::uint8_t uncached = 8;
inline constexpr std::uint8_t memory_type = write_combining | uncached;
/// The anchor of an mmio object (kernel/obj/mmio.hpp): in no domain and no index, never mapped; the parent
/// of every root mapping made from the object, so its descendants are exactly what dies with the object.
inline constexpr std::uint8_t anchor = 16;
} // namespace flag

struct alignas(64) Node {
    Domain* pd;          ///< the domain whose address space holds the page (a Pd)
    std::uint64_t va;    ///< page address there
    std::uint64_t frame; ///< physical address of the page
    Node* prev;          ///< derivation list (preorder); nullptr at the start of a tree
    Node* next;          ///< nullptr at the end of a tree
    Node* left;          ///< index: pages below va
    Node* right;         ///< index: pages above va
    std::uint32_t depth; ///< 0: root of its derivation tree
    std::uint8_t rights; ///< janus::abi::rights read | write | exec | grant
    std::int8_t balance; ///< index: height(right) - height(left), -1..1
    std::uint8_t flags;

    bool paid() const { return flags & flag::paid; }
    bool utcb() const { return flags & flag::utcb; }
};

static_assert(sizeof(Node) == janus::abi::charge::mapping, "a mapping node is exactly its ABI charge");

/// The rights a memory mapping can carry.
inline constexpr std::uint8_t memory_rights =
    static_cast<std::uint8_t>(janus::abi::rights::read | janus::abi::rights::write |
                              janus::abi::rights::exec | janus::abi::rights::grant);
/// Rights that make the page accessible, i.e. present in the page table.
inline constexpr std::uint8_t access_rights = static_cast<std::uint8_t>(
    janus::abi::rights::read | janus::abi::rights::write | janus::abi::rights::exec);

} // namespace kernel::mapdb
