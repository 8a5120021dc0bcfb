// Physical frame allocator: a binary buddy system over 4 KiB frames.
//
// Blocks are 2^order frames (order 0 = 4 KiB .. max_order = 1 GiB), aligned in physical memory to their own
// size, so a block of order 9 can back a 2 MiB page. A freed block merges with its buddy whenever the buddy
// is free too. Running out of memory is an ordinary result (nullopt), never a panic; a release that does not
// match an allocation is refused and reported, never trusted.
//
// Bookkeeping lives in a caller-supplied FrameInfo array, one entry per frame of the managed span (the kernel
// carves it out of usable memory, see frames.hpp): free lists and the deferred-release list link frames
// through this array, never through the frames themselves, so a retired page-table page keeps its contents
// until every CPU has stopped walking it. One spinlock serialises all operations; none of them masks
// interrupts, so the allocator is not for interrupt handlers.
#pragma once

#include <cstdint>
#include <optional>

#include "kernel/lib/spinlock.hpp"

namespace kernel::mem {

using PhysAddr = std::uint64_t;

inline constexpr unsigned frame_shift = 12;
inline constexpr std::uint64_t frame_size = std::uint64_t{1} << frame_shift;

/// Bookkeeping for one frame. `state` says what the frame is (see FrameAllocator's State); the links chain
/// block heads into free lists or the retired list.
struct FrameInfo {
    std::uint32_t next;
    std::uint32_t prev;
    std::uint8_t state;
};

/// Blocks one update retired, waiting for the TLB shootdown after which they may be reused. Linked through
/// the allocator's bookkeeping; the holder owns it until release_batch().
struct RetiredBatch {
    std::uint32_t head = 0xffff'ffff;
    std::uint64_t frames = 0;
};

class FrameAllocator {
public:
    static constexpr unsigned max_order = 18;
    static constexpr unsigned order_count = max_order + 1;
    static constexpr std::uint64_t max_block_frames = std::uint64_t{1} << max_order;
    /// Frame indices are 32-bit: one allocator spans at most 2^32 - 1 frames (16 TiB).
    static constexpr std::uint64_t max_span_frames = 0xffff'fffe;

    /// The physical range one allocator describes: starts on a max-order boundary so that buddy arithmetic on
    /// frame indices is alignment arithmetic on physical addresses.
    struct Span {
        PhysAddr base;
        std::uint64_t frames;
    };

    /// The smallest span covering [lowest, end), or nullopt if it would exceed max_span_frames.
    static std::optional<Span> span_covering(PhysAddr lowest, PhysAddr end);
    static constexpr std::uint64_t metadata_bytes(const Span& s) { return s.frames * sizeof(FrameInfo); }

    constexpr FrameAllocator() = default;
    FrameAllocator(const FrameAllocator&) = delete;
    FrameAllocator& operator=(const FrameAllocator&) = delete;

    /// Take over `span` with `info` (span.frames entries, owned by the allocator from now on). Every frame
    /// starts unavailable; add_free_range() donates memory.
    void init(Span span, FrameInfo* info);

    /// Donate the 4 KiB-aligned range [base, end). Refused (false, nothing changed) if it is misaligned,
    /// leaves the span, or overlaps memory already donated.
    [[nodiscard]] bool add_free_range(PhysAddr base, PhysAddr end);

    /// A block of 2^order frames aligned to its size, or nullopt when no such block is free.
    std::optional<PhysAddr> allocate(unsigned order = 0);

    /// Give back a block at once. Refused (false) unless `pa` heads an allocated block of exactly that order.
    [[nodiscard]] bool release(PhysAddr pa, unsigned order = 0);

    /// Give back a block that some CPU may still reach through a stale translation or a page-table walk in
    /// progress: it joins `batch` and stays unusable until release_batch(batch), which the holder calls after
    /// shooting down every CPU that may reach it. Same checks as release().
    [[nodiscard]] bool retire(PhysAddr pa, unsigned order, RetiredBatch& batch);
    void release_batch(RetiredBatch& batch);

    std::uint64_t free_frames() const;
    std::uint64_t retired_frames() const;
    std::uint64_t managed_frames() const;
    bool owns(PhysAddr pa) const {
        return pa >= span_.base && (pa - span_.base) >> frame_shift < span_.frames;
    }

    /// Walks every list and frame; true if the bookkeeping is consistent. For tests.
    bool check_invariants() const;

private:
    enum State : std::uint8_t {
        unavailable = 0x00, ///< not donated: a hole, reserved memory or the metadata itself
        interior = 0x01,    ///< inside a block whose head is another frame
        allocated = 0x40,   ///< | order: heads an allocated block
        free_head = 0x80,   ///< | order: heads a free block on free_[order]
        retired = 0xc0,     ///< | order: heads a block on the retired list
    };
    static constexpr std::uint8_t kind_mask = 0xc0;
    static constexpr std::uint32_t nil = 0xffff'ffff;

    bool index_of(PhysAddr pa, unsigned order, std::uint32_t& index) const;
    void push_free(std::uint32_t index, unsigned order);
    void unlink_free(std::uint32_t index, unsigned order);
    void free_block(std::uint32_t index, unsigned order);
    bool take_allocated(PhysAddr pa, unsigned order, std::uint32_t& index);

    mutable Spinlock lock_;
    Span span_{0, 0};
    FrameInfo* info_ = nullptr;
    std::uint32_t free_[order_count] = {};
    std::uint64_t free_frames_ = 0;
    std::uint64_t retired_frames_ = 0;
    std::uint64_t managed_frames_ = 0;
};

} // namespace kernel::mem
