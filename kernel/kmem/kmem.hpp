// Kmem: memory for kernel objects. Small objects come from slabs (one size class per page, 128..1024 bytes),
// anything larger takes a whole page. Kmem only hands out memory; paying for it is the caller's business
// (every allocation is preceded by a quota check, see quota.hpp), so running out here is an ordinary null
// result that the syscall reports as quota_exhausted, never a panic.
//
// Invariants: a slab page's first chunk holds its header; a page is on its class's partial list exactly when
// it has a free chunk; a page with no chunk in use goes back to the PageSource at once.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel/kmem/page_source.hpp"

namespace kernel {

class Kmem {
public:
    static constexpr std::size_t page_bytes = PageSource::page_bytes;
    /// Every chunk is aligned to its class size, so at least to this: kernel/cap/slot.hpp keeps the rights in
    /// the low bits of an object pointer.
    static constexpr std::size_t min_alignment = 128;

    constexpr Kmem() = default;
    Kmem(const Kmem&) = delete;
    Kmem& operator=(const Kmem&) = delete;

    void init(PageSource& source) { source_ = &source; }

    /// Uninitialised memory for `bytes` (1..page_bytes), aligned to its size class (a page for big ones), or
    /// nullptr when the page source is empty.
    void* allocate(std::size_t bytes);
    /// Returns memory from allocate(bytes) with the same `bytes`.
    void release(void* p, std::size_t bytes);

    /// The physical address of a whole page from allocate(page_bytes), and back (PageSource::physical).
    std::uint64_t physical(const void* page) const { return source_->physical(page); }
    void* at_physical(std::uint64_t physical) const { return source_->at_physical(physical); }

    /// Pages taken from the source and not given back (slab pages and whole-page allocations).
    std::size_t pages_held() const { return pages_; }

private:
    struct Chunk {
        Chunk* next;
    };
    struct SlabPage {
        SlabPage* next; ///< partial list
        SlabPage* prev;
        Chunk* free;
        std::uint32_t in_use;
        std::uint32_t size_class;
    };

    static constexpr unsigned class_count = 4;
    static constexpr std::size_t class_bytes[class_count] = {128, 256, 512, 1024};
    static_assert(sizeof(SlabPage) <= class_bytes[0]);

    static int class_of(std::size_t bytes);
    void* take_page();
    void give_page(void* page);
    SlabPage* new_slab(unsigned size_class);
    void unlink_partial(SlabPage* page);
    void push_partial(SlabPage* page);

    PageSource* source_ = nullptr;
    SlabPage* partial_[class_count] = {};
    std::size_t pages_ = 0;
};

} // namespace kernel
