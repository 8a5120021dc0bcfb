// A protection domain's capability space: 2^order slots (order 4..12) indexed by selector. Selector 0 is
// never valid. The slots live in chunks of at most one page (128 slots), so no allocation is larger than a
// page; chunk i holds selectors [128 i, 128 (i + 1)).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel/cap/slot.hpp"
#include "kernel/kmem/kmem.hpp"

namespace kernel {

class CapSpace {
public:
    static constexpr unsigned min_order = 4;
    static constexpr unsigned max_order = 12;
    static constexpr std::size_t slots_per_chunk = Kmem::page_bytes / sizeof(Slot);
    static constexpr std::size_t max_chunks = (std::size_t{1} << max_order) / slots_per_chunk;

    static constexpr bool valid_order(std::uint64_t order) {
        return order >= min_order && order <= max_order;
    }

    CapSpace() = default;
    CapSpace(const CapSpace&) = delete;
    CapSpace& operator=(const CapSpace&) = delete;

    /// Allocates 2^order empty slots; false (nothing allocated) when memory runs out.
    [[nodiscard]] bool create(Kmem& kmem, unsigned order);
    /// Frees the slots, which must all be empty.
    void destroy(Kmem& kmem);

    unsigned order() const { return order_; }
    std::uint64_t size() const { return order_ ? std::uint64_t{1} << order_ : 0; }

    /// The slot for `sel`, or nullptr if sel is 0 or beyond the space. Always inlined (as cap()): every
    /// syscall looks up its selectors, and each caller then gets its own copy, so the checker's and the fuzz
    /// harness's (compiled without coverage) carry no comparison hooks.
    [[gnu::always_inline]] Slot* slot(std::uint64_t sel) const {
        // sel < size() is sel >> order_ == 0 for a space of 2^order_ slots; with no slots (order_ 0) every
        // non-zero sel fails it too.
        if (sel == 0 || (sel >> order_) != 0) return nullptr;
        return &chunks_[sel / slots_per_chunk][sel % slots_per_chunk];
    }
    /// The non-empty slot for `sel`, or nullptr (bad_selector).
    [[gnu::always_inline]] Slot* cap(std::uint64_t sel) const {
        Slot* s = slot(sel);
        return s && !s->empty() ? s : nullptr;
    }
    /// The selector of `s` if it lies in this space, else 0.
    std::uint64_t selector_of(const Slot* s) const;

private:
    std::size_t chunk_count() const;
    std::size_t chunk_bytes() const;

    unsigned order_ = 0;
    Slot* chunks_[max_chunks] = {};
};

} // namespace kernel
