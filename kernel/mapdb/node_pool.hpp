// Memory for mapping nodes: 64-byte slots carved from whole Kmem pages (Kmem's smallest class is 128 bytes,
// twice a node). Slot 0 of each page holds the page's header, so a page holds 63 nodes.
//
// All or nothing: an operation first reserve()s every slot it will take (pages are allocated then, and only
// then can it fail), and take() never fails after that. A page whose last node goes is given back at once;
// trim() gives back pages a failed operation reserved but never used. So pages_held() only depends on the
// live nodes.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel/abi/abi.hpp"
#include "kernel/mapdb/node.hpp"

namespace kernel {

class Kmem;

namespace mapdb {

class NodePool {
public:
    static constexpr std::size_t slots_per_page = janus::abi::page_bytes / sizeof(Node) - 1;

    constexpr NodePool() = default;
    NodePool(const NodePool&) = delete;
    NodePool& operator=(const NodePool&) = delete;

    /// Makes sure `count` nodes can be taken; false (and nothing kept) if Kmem runs out of pages.
    bool reserve(Kmem& kmem, std::size_t count);
    /// A node with undefined contents; reserve() made sure there is one.
    Node& take();
    void give(Kmem& kmem, Node& node);
    /// Gives back the pages that hold no node.
    void trim(Kmem& kmem);

    std::size_t free_slots() const { return free_; }
    std::size_t nodes() const { return used_; }
    std::size_t pages_held() const { return pages_; }

private:
    struct Page;
    static Page& page_of(Node& node);
    void link(Page& page);
    void unlink(Page& page);

    Page* partial_ = nullptr; ///< pages with a free slot, doubly linked; full pages are on no list
    std::size_t free_ = 0;
    std::size_t used_ = 0;
    std::size_t pages_ = 0;
};

} // namespace mapdb
} // namespace kernel
