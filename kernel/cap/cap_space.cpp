#include "kernel/cap/cap_space.hpp"

#include <new>

namespace kernel {

std::size_t CapSpace::chunk_count() const {
    std::size_t n = size() / slots_per_chunk;
    return n ? n : 1;
}

std::size_t CapSpace::chunk_bytes() const {
    std::size_t slots = size() < slots_per_chunk ? size() : slots_per_chunk;
    return slots * sizeof(Slot);
}

bool CapSpace::create(Kmem& kmem, unsigned order) {
    order_ = order;
    std::size_t per_chunk = chunk_bytes() / sizeof(Slot);
    for (std::size_t i = 0; i < chunk_count(); ++i) {
        void* raw = kmem.allocate(chunk_bytes());
        if (!raw) {
            destroy(kmem);
            return false;
        }
        auto* slots = static_cast<Slot*>(raw);
        for (std::size_t j = 0; j < per_chunk; ++j) new (&slots[j]) Slot();
        chunks_[i] = slots;
    }
    return true;
}

void CapSpace::destroy(Kmem& kmem) {
    for (std::size_t i = 0; i < chunk_count(); ++i) {
        if (chunks_[i]) kmem.release(chunks_[i], chunk_bytes());
        chunks_[i] = nullptr;
    }
    order_ = 0;
}

std::uint64_t CapSpace::selector_of(const Slot* s) const {
    auto p = reinterpret_cast<std::uintptr_t>(s);
    std::size_t per_chunk = chunk_bytes() / sizeof(Slot);
    for (std::size_t i = 0; i < chunk_count(); ++i) {
        auto base = reinterpret_cast<std::uintptr_t>(chunks_[i]);
        if (!chunks_[i] || p < base || p >= base + per_chunk * sizeof(Slot)) continue;
        if ((p - base) % sizeof(Slot)) return 0;
        return i * slots_per_chunk + (p - base) / sizeof(Slot);
    }
    return 0;
}

} // namespace kernel
