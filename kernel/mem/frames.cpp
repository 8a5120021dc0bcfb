#include "kernel/mem/frames.hpp"

#include "arch/phys.hpp"

namespace kernel::mem {
namespace {

constexpr PhysAddr page_down(PhysAddr a) {
    return a & ~(frame_size - 1);
}
constexpr PhysAddr page_up(PhysAddr a) {
    return a > ~(frame_size - 1) ? ~(frame_size - 1) : page_down(a + frame_size - 1);
}

// Call `emit(base, end)` for every piece of [base, end) outside all reserved ranges (rounded to pages) and
// outside `extra`.
template <typename Emit>
void for_each_free_piece(PhysAddr base, PhysAddr end, std::span<const PhysRange> reserved, PhysRange extra,
                         Emit&& emit) {
    PhysAddr cursor = base;
    while (cursor < end) {
        // The reserved range that starts first among those overlapping [cursor, end).
        PhysAddr hole_base = end, hole_end = end;
        auto consider = [&](PhysRange r) {
            if (r.end <= r.base) return; // empty or wrapping: nothing sensible to exclude
            PhysAddr b = page_down(r.base), e = page_up(r.end);
            if (b < cursor) b = cursor;
            if (e <= cursor || b >= end) return;
            if (b < hole_base || (b == hole_base && e > hole_end)) {
                hole_base = b;
                hole_end = e;
            }
        };
        for (const PhysRange& r : reserved) consider(r);
        consider(extra);
        if (hole_base > cursor) emit(cursor, hole_base);
        if (hole_end <= cursor) break;
        cursor = hole_end;
    }
}

// The longest prefix of [base, end), in whole frames, inside the physical-memory window.
PhysAddr accessible_end(PhysAddr base, PhysAddr end) {
    if (arch::phys_accessible(base, end - base)) return end;
    std::uint64_t lo = 0, hi = (end - base) >> frame_shift; // lo frames accessible, hi not
    while (hi - lo > 1) {
        std::uint64_t mid = lo + (hi - lo) / 2;
        if (arch::phys_accessible(base, mid << frame_shift)) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return base + (lo << frame_shift);
}

template <typename Emit>
void for_each_donatable(const boot::MemoryMap& map, std::span<const PhysRange> reserved, PhysRange extra,
                        Emit&& emit) {
    for (const boot::MemoryRegion& region : map) {
        if (region.type != boot::MemoryType::usable) continue;
        for_each_free_piece(page_up(region.base), page_down(region.end()), reserved, extra,
                            [&](PhysAddr b, PhysAddr e) {
                                PhysAddr reachable = accessible_end(b, e);
                                if (reachable > b) emit(b, reachable);
                            });
    }
}

} // namespace

Result<PhysRange, FramesError> init_frames(FrameAllocator& frames, const boot::MemoryMap& map,
                                           std::span<const PhysRange> reserved) {
    PhysAddr lowest = ~PhysAddr{0}, highest = 0;
    for_each_donatable(map, reserved, PhysRange{0, 0}, [&](PhysAddr b, PhysAddr e) {
        if (b < lowest) lowest = b;
        if (e > highest) highest = e;
    });
    if (highest == 0) return fail(FramesError::no_usable_memory);
    std::optional<FrameAllocator::Span> span = FrameAllocator::span_covering(lowest, highest);
    if (!span) return fail(FramesError::span_too_large);

    std::uint64_t need = page_up(FrameAllocator::metadata_bytes(*span));
    PhysRange meta{0, 0};
    for_each_donatable(map, reserved, PhysRange{0, 0}, [&](PhysAddr b, PhysAddr e) {
        if (meta.end == 0 && e - b >= need) meta = PhysRange{b, b + need};
    });
    if (meta.end == 0) return fail(FramesError::no_room_for_metadata);

    frames.init(*span, static_cast<FrameInfo*>(arch::phys_to_virt(meta.base)));
    bool donated = false;
    for_each_donatable(map, reserved, meta, [&](PhysAddr b, PhysAddr e) {
        // The memory map's regions are disjoint, so donations never overlap and are never refused.
        donated |= frames.add_free_range(b, e);
    });
    if (!donated) return fail(FramesError::no_usable_memory);
    return meta;
}

FrameAllocator& frames() {
    static constinit FrameAllocator instance;
    return instance;
}

} // namespace kernel::mem
