// Device memory by capability: an Mmio names a page-aligned physical range of device memory with one memory
// type, made from the one MmioControl object the root domain receives at boot (mmio_create). mmio_map maps
// its pages into a domain as mapping-database roots (kernel/mapdb/mapdb.hpp, map_device_pages).
//
// The object carries the anchor node those mappings hang below (kernel/mapdb/node.hpp, flag::anchor): every
// mapping made from the object is a child of the anchor, everything delegated from those a descendant, and
// mem_map's grant keeps a node's place in its tree. So when the object dies, removing the anchor's
// descendants removes exactly what the object handed out, wherever it went (lifetime.cpp).
//
// The anchor is in no domain and no index, so its fields describe the object instead: `frame` the first
// physical page, `va` the page count, `flags` the memory type; `left`/`right` link the live objects'
// anchors (Kernel::mmio_anchors), which mmio_create walks to refuse aliasing memory types.
#pragma once

#include <cstdint>

#include "kernel/abi/abi.hpp"
#include "kernel/kmem/object.hpp"
#include "kernel/mapdb/node.hpp"

namespace kernel {

class Mmio : public Object {
public:
    Mmio(std::uint64_t phys, std::uint64_t pages, std::uint8_t memory_type) : Object(ObjectType::mmio) {
        anchor = mapdb::Node{nullptr,
                             pages,
                             phys,
                             nullptr,
                             nullptr,
                             nullptr,
                             nullptr,
                             0,
                             0,
                             0,
                             static_cast<std::uint8_t>(mapdb::flag::anchor | memory_type)};
    }

    std::uint64_t phys() const { return anchor.frame; }
    std::uint64_t pages() const { return anchor.va; }
    std::uint8_t memory_type() const { return anchor.flags & mapdb::flag::memory_type; }

    mapdb::Node anchor;
};

class MmioControl : public Object {
public:
    MmioControl() : Object(ObjectType::mmio_control) {}
};

static_assert(sizeof(Mmio) <= janus::abi::charge::mmio, "an mmio object must fit its ABI charge");

/// Puts `m` on the list of live objects starting at `head` (Kernel::mmio_anchors).
inline void link_live(mapdb::Node*& head, Mmio& m) {
    m.anchor.left = nullptr;
    m.anchor.right = head;
    if (head) head->left = &m.anchor;
    head = &m.anchor;
}

/// Takes `m` off that list (once: its links are cleared).
inline void unlink_live(mapdb::Node*& head, Mmio& m) {
    mapdb::Node& a = m.anchor;
    if (a.left)
        a.left->right = a.right;
    else if (head == &a)
        head = a.right;
    if (a.right) a.right->left = a.left;
    a.left = a.right = nullptr;
}

/// Whether a live object of another memory type than `memory_type` overlaps [base, end): the range may not
/// get that type too (x86 forbids aliasing memory types, SDM vol. 3A 11.12.4).
inline bool aliases(const mapdb::Node* head, std::uint64_t base, std::uint64_t end,
                    std::uint8_t memory_type) {
    for (const mapdb::Node* a = head; a; a = a->right)
        if ((a->flags & mapdb::flag::memory_type) != memory_type &&
            base < a->frame + a->va * janus::abi::page_bytes && a->frame < end)
            return true;
    return false;
}

} // namespace kernel
