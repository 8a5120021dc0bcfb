#include "kernel/mapdb/node_pool.hpp"

#include <new>

#include "kernel/kmem/kmem.hpp"
#include "kernel/panic.hpp"

namespace kernel::mapdb {

struct NodePool::Page {
    Page* next;
    Page* prev;
    Node* free; ///< free slots, linked through Node::next
    std::uint32_t used;
};
NodePool::Page& NodePool::page_of(Node& node) {
    static_assert(sizeof(Page) <= sizeof(Node), "the header fits slot 0");
    return *reinterpret_cast<Page*>(reinterpret_cast<std::uintptr_t>(&node) & ~std::uintptr_t{4095});
}

void NodePool::link(Page& page) {
    page.prev = nullptr;
    page.next = partial_;
    if (partial_) partial_->prev = &page;
    partial_ = &page;
}

void NodePool::unlink(Page& page) {
    if (page.prev)
        page.prev->next = page.next;
    else
        partial_ = page.next;
    if (page.next) page.next->prev = page.prev;
    page.next = page.prev = nullptr;
}

bool NodePool::reserve(Kmem& kmem, std::size_t count) {
    while (free_ < count) {
        void* raw = kmem.allocate(Kmem::page_bytes);
        if (!raw) {
            trim(kmem);
            return false;
        }
        ++pages_;
        auto* page = new (raw) Page{nullptr, nullptr, nullptr, 0};
        auto* slots = static_cast<Node*>(raw);
        for (std::size_t i = slots_per_page; i >= 1; --i) {
            slots[i].next = page->free;
            page->free = &slots[i];
        }
        link(*page);
        free_ += slots_per_page;
    }
    return true;
}

Node& NodePool::take() {
    JANUS_ASSERT(partial_ && free_ > 0); // reserve() first
    Page& page = *partial_;
    Node& n = *page.free;
    page.free = n.next;
    ++page.used;
    --free_;
    ++used_;
    if (!page.free) unlink(page);
    return n;
}

void NodePool::give(Kmem& kmem, Node& node) {
    Page& page = page_of(node);
    if (!page.free) link(page);
    node.next = page.free;
    page.free = &node;
    --page.used;
    ++free_;
    --used_;
    if (page.used == 0) {
        unlink(page);
        free_ -= slots_per_page;
        --pages_;
        kmem.release(&page, Kmem::page_bytes);
    }
}

void NodePool::trim(Kmem& kmem) {
    for (Page* p = partial_; p;) {
        Page* next = p->next;
        if (p->used == 0) {
            unlink(*p);
            free_ -= slots_per_page;
            --pages_;
            kmem.release(p, Kmem::page_bytes);
        }
        p = next;
    }
}

} // namespace kernel::mapdb
