// The kernel's frame allocator, built from the boot memory map.
//
// Only memory the loader calls usable is donated, minus every range the caller reserves (the kernel image,
// boot modules, anything else still in use), each rounded outwards to whole frames. The allocator's own
// bookkeeping is carved from the first usable piece large enough to hold it and reached through the arch
// contract's physical-memory window; frames outside that window are not donated (the kernel could not clear
// them). Boot input is untrusted: reserved ranges that wrap or lie outside the map are clipped, never
// trusted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "kernel/boot/bootinfo.hpp"
#include "kernel/lib/result.hpp"
#include "kernel/mem/frame_allocator.hpp"

namespace kernel::mem {

/// A physical range [base, end) the allocator must never hand out.
struct PhysRange {
    PhysAddr base;
    PhysAddr end;
};

enum class FramesError : std::uint8_t {
    no_usable_memory,    ///< nothing usable is left once the reserved ranges are taken out
    span_too_large,      ///< usable memory spreads over more than FrameAllocator::max_span_frames frames
    no_room_for_metadata ///< no usable piece is large enough for the bookkeeping
};

/// Build `frames` over `map` minus `reserved`. Returns the physical range now holding the bookkeeping (so the
/// caller can map it or account for it).
Result<PhysRange, FramesError> init_frames(FrameAllocator& frames, const boot::MemoryMap& map,
                                           std::span<const PhysRange> reserved);

/// The kernel's one frame allocator; empty until boot code calls init_frames() on it.
FrameAllocator& frames();

} // namespace kernel::mem
