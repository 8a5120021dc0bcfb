#include "kernel/mem/frame_allocator.hpp"

namespace kernel::mem {

std::optional<FrameAllocator::Span> FrameAllocator::span_covering(PhysAddr lowest, PhysAddr end) {
    constexpr PhysAddr block_bytes = max_block_frames << frame_shift;
    if (end <= lowest) return std::nullopt;
    PhysAddr base = lowest & ~(block_bytes - 1);
    std::uint64_t frames = ((end - base) + frame_size - 1) >> frame_shift;
    if (frames > max_span_frames) return std::nullopt;
    return Span{base, frames};
}

void FrameAllocator::init(Span span, FrameInfo* info) {
    SpinGuard guard(lock_);
    span_ = span;
    info_ = info;
    for (std::uint64_t i = 0; i < span.frames; ++i) info_[i] = FrameInfo{nil, nil, unavailable};
    for (std::uint32_t& head : free_) head = nil;
    free_frames_ = retired_frames_ = managed_frames_ = 0;
}

bool FrameAllocator::index_of(PhysAddr pa, unsigned order, std::uint32_t& index) const {
    if (order > max_order || !owns(pa) || (pa & (frame_size - 1)) != 0) return false;
    std::uint64_t i = (pa - span_.base) >> frame_shift;
    if ((i & ((std::uint64_t{1} << order) - 1)) != 0 || i + (std::uint64_t{1} << order) > span_.frames)
        return false;
    index = static_cast<std::uint32_t>(i);
    return true;
}

void FrameAllocator::push_free(std::uint32_t index, unsigned order) {
    FrameInfo& f = info_[index];
    f.state = static_cast<std::uint8_t>(free_head | order);
    f.prev = nil;
    f.next = free_[order];
    if (f.next != nil) info_[f.next].prev = index;
    free_[order] = index;
}

void FrameAllocator::unlink_free(std::uint32_t index, unsigned order) {
    FrameInfo& f = info_[index];
    if (f.prev != nil) {
        info_[f.prev].next = f.next;
    } else {
        free_[order] = f.next;
    }
    if (f.next != nil) info_[f.next].prev = f.prev;
    f.next = f.prev = nil;
    f.state = interior;
}

// Insert a block, merging with its buddy for as long as the buddy heads a free block of the same order.
void FrameAllocator::free_block(std::uint32_t index, unsigned order) {
    info_[index].state = interior;
    while (order < max_order) {
        std::uint64_t buddy = index ^ (std::uint64_t{1} << order);
        if (buddy >= span_.frames || info_[buddy].state != (free_head | order)) break;
        unlink_free(static_cast<std::uint32_t>(buddy), order);
        if (buddy < index) index = static_cast<std::uint32_t>(buddy);
        ++order;
    }
    push_free(index, order);
}

bool FrameAllocator::add_free_range(PhysAddr base, PhysAddr end) {
    SpinGuard guard(lock_);
    if (base >= end || ((base | end) & (frame_size - 1)) != 0 || !owns(base) || !owns(end - 1)) return false;
    std::uint64_t first = (base - span_.base) >> frame_shift;
    std::uint64_t last = (end - span_.base) >> frame_shift;
    for (std::uint64_t i = first; i < last; ++i)
        if (info_[i].state != unavailable) return false;
    for (std::uint64_t i = first; i < last; ++i) info_[i].state = interior;
    // Largest aligned blocks first; free_block merges them with neighbours donated earlier.
    for (std::uint64_t i = first; i < last;) {
        unsigned order = 0;
        while (order < max_order && (i & ((std::uint64_t{2} << order) - 1)) == 0 &&
               i + (std::uint64_t{2} << order) <= last)
            ++order;
        free_block(static_cast<std::uint32_t>(i), order);
        i += std::uint64_t{1} << order;
    }
    free_frames_ += last - first;
    managed_frames_ += last - first;
    return true;
}

std::optional<PhysAddr> FrameAllocator::allocate(unsigned order) {
    if (order > max_order) return std::nullopt;
    SpinGuard guard(lock_);
    unsigned k = order;
    while (k <= max_order && free_[k] == nil) ++k;
    if (k > max_order) return std::nullopt;
    std::uint32_t index = free_[k];
    unlink_free(index, k);
    // Split down to the requested size; each upper half becomes a free block of its own.
    while (k > order) {
        --k;
        push_free(index + (std::uint32_t{1} << k), k);
    }
    info_[index].state = static_cast<std::uint8_t>(allocated | order);
    free_frames_ -= std::uint64_t{1} << order;
    return span_.base + (static_cast<PhysAddr>(index) << frame_shift);
}

bool FrameAllocator::take_allocated(PhysAddr pa, unsigned order, std::uint32_t& index) {
    return index_of(pa, order, index) && info_[index].state == (allocated | order);
}

bool FrameAllocator::release(PhysAddr pa, unsigned order) {
    SpinGuard guard(lock_);
    std::uint32_t index;
    if (!take_allocated(pa, order, index)) return false;
    free_block(index, order);
    free_frames_ += std::uint64_t{1} << order;
    return true;
}

bool FrameAllocator::retire(PhysAddr pa, unsigned order, RetiredBatch& batch) {
    SpinGuard guard(lock_);
    std::uint32_t index;
    if (!take_allocated(pa, order, index)) return false;
    FrameInfo& f = info_[index];
    f.state = static_cast<std::uint8_t>(retired | order);
    f.next = batch.head;
    batch.head = index;
    batch.frames += std::uint64_t{1} << order;
    retired_frames_ += std::uint64_t{1} << order;
    return true;
}

void FrameAllocator::release_batch(RetiredBatch& batch) {
    SpinGuard guard(lock_);
    for (std::uint32_t i = batch.head; i != nil;) {
        std::uint32_t next = info_[i].next;
        unsigned order = info_[i].state & ~kind_mask;
        info_[i].next = nil;
        free_block(i, order);
        free_frames_ += std::uint64_t{1} << order;
        retired_frames_ -= std::uint64_t{1} << order;
        i = next;
    }
    batch = RetiredBatch{};
}

std::uint64_t FrameAllocator::free_frames() const {
    SpinGuard guard(lock_);
    return free_frames_;
}

std::uint64_t FrameAllocator::retired_frames() const {
    SpinGuard guard(lock_);
    return retired_frames_;
}

std::uint64_t FrameAllocator::managed_frames() const {
    SpinGuard guard(lock_);
    return managed_frames_;
}

bool FrameAllocator::check_invariants() const {
    SpinGuard guard(lock_);
    std::uint64_t listed = 0;
    for (unsigned order = 0; order <= max_order; ++order) {
        std::uint32_t prev = nil;
        for (std::uint32_t i = free_[order]; i != nil; prev = i, i = info_[i].next) {
            if (i >= span_.frames || info_[i].state != (free_head | order) || info_[i].prev != prev)
                return false;
            if ((i & ((std::uint64_t{1} << order) - 1)) != 0) return false;
            // A free block's buddy is never free at the same order: they would have merged.
            std::uint64_t buddy = i ^ (std::uint64_t{1} << order);
            if (order < max_order && buddy < span_.frames && info_[buddy].state == (free_head | order))
                return false;
            listed += std::uint64_t{1} << order;
            if (listed > span_.frames) return false; // a cycle
        }
    }
    std::uint64_t heads = 0;
    for (std::uint64_t i = 0; i < span_.frames; ++i) {
        if ((info_[i].state & kind_mask) == free_head)
            heads += std::uint64_t{1} << (info_[i].state & ~kind_mask);
    }
    return listed == free_frames_ && heads == free_frames_;
}

} // namespace kernel::mem
