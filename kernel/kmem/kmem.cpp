#include "kernel/kmem/kmem.hpp"

#include <cstdint>
#include <new>

#include "kernel/kmem/poison.hpp"
#include "kernel/panic.hpp"

namespace kernel {

namespace {

std::uintptr_t address(const void* p) {
    return reinterpret_cast<std::uintptr_t>(p);
}

/// Slots keep links as 48-bit canonical addresses (kernel/cap/slot.hpp); every kernel page must be one.
bool canonical48(const void* p) {
    auto a = static_cast<std::int64_t>(address(p));
    return (a << 16 >> 16) == a;
}

} // namespace

int Kmem::class_of(std::size_t bytes) {
    for (unsigned c = 0; c < class_count; ++c)
        if (bytes <= class_bytes[c]) return static_cast<int>(c);
    return -1;
}

void* Kmem::take_page() {
    if (!source_) return nullptr;
    void* page = source_->take_page();
    if (!page) return nullptr;
    // A page source that breaks its contract is a configuration bug, not something user input can cause.
    JANUS_ASSERT(address(page) % page_bytes == 0 && canonical48(page));
    ++pages_;
    return page;
}

void Kmem::give_page(void* page) {
    unpoison(page, page_bytes);
    --pages_;
    source_->give_page(page);
}

Kmem::SlabPage* Kmem::new_slab(unsigned size_class) {
    void* raw = take_page();
    if (!raw) return nullptr;
    std::size_t size = class_bytes[size_class];
    auto* page = new (raw) SlabPage{nullptr, nullptr, nullptr, 0, size_class};
    // Chunk 0 holds the header; the others go on the free list in address order.
    auto* base = static_cast<std::byte*>(raw);
    for (std::size_t off = page_bytes - size; off >= size; off -= size) {
        auto* chunk = new (base + off) Chunk{page->free};
        page->free = chunk;
        poison(base + off + sizeof(Chunk), size - sizeof(Chunk));
    }
    return page;
}

void Kmem::push_partial(SlabPage* page) {
    page->prev = nullptr;
    page->next = partial_[page->size_class];
    if (page->next) page->next->prev = page;
    partial_[page->size_class] = page;
}

void Kmem::unlink_partial(SlabPage* page) {
    if (page->prev)
        page->prev->next = page->next;
    else
        partial_[page->size_class] = page->next;
    if (page->next) page->next->prev = page->prev;
    page->next = page->prev = nullptr;
}

void* Kmem::allocate(std::size_t bytes) {
    int c = class_of(bytes);
    if (bytes == 0 || bytes > page_bytes) return nullptr;
    if (c < 0) return take_page();

    auto size_class = static_cast<unsigned>(c);
    SlabPage* page = partial_[size_class];
    if (!page) {
        page = new_slab(size_class);
        if (!page) return nullptr;
        push_partial(page);
    }
    Chunk* chunk = page->free;
    unpoison(chunk, class_bytes[size_class]);
    page->free = chunk->next;
    ++page->in_use;
    if (!page->free) unlink_partial(page);
    return chunk;
}

void Kmem::release(void* p, std::size_t bytes) {
    if (!p) return;
    int c = class_of(bytes);
    if (c < 0) {
        give_page(p);
        return;
    }
    auto* page = reinterpret_cast<SlabPage*>(address(p) & ~(page_bytes - 1));
    JANUS_ASSERT(page->size_class == static_cast<unsigned>(c) && page->in_use > 0);
    bool was_full = page->free == nullptr;
    auto* chunk = new (p) Chunk{page->free};
    page->free = chunk;
    poison(reinterpret_cast<std::byte*>(p) + sizeof(Chunk), class_bytes[page->size_class] - sizeof(Chunk));
    --page->in_use;
    if (page->in_use == 0) {
        if (!was_full) unlink_partial(page);
        give_page(page);
    } else if (was_full) {
        push_partial(page);
    }
}

} // namespace kernel
