// The policies the running kernel instantiates PageTable with, and the end of an update that lets retired
// frames be reused. Header-only: a world needs the TLB contract only once it calls finish().
#pragma once

#include "arch/atomic.hpp"
#include "arch/phys.hpp"
#include "arch/tlb.hpp"
#include "kernel/mem/frame_allocator.hpp"
#include "kernel/mem/page_table.hpp"

namespace kernel::mem {

/// Page-table entries in place, reached through the physical-memory window, accessed atomically.
struct PhysWindowMemory {
    using Entry = std::uint64_t;

    static arch::Atomic<Entry>& slot(PhysAddr table, unsigned i) {
        return static_cast<arch::Atomic<Entry>*>(arch::phys_to_virt(table))[i];
    }
    Entry load(PhysAddr table, unsigned i) { return slot(table, i).load(arch::MemoryOrder::acquire); }
    bool compare_exchange(PhysAddr table, unsigned i, Entry& expected, Entry desired) {
        return slot(table, i).compare_exchange(expected, desired, arch::MemoryOrder::acq_rel);
    }
    Entry fetch_or(PhysAddr table, unsigned i, Entry bits) {
        return slot(table, i).fetch_or(bits, arch::MemoryOrder::acq_rel);
    }
    /// The table is not reachable yet; the release CAS that publishes it orders these stores before it.
    void initialise(PhysAddr table, unsigned i, Entry value) {
        static_cast<Entry*>(arch::phys_to_virt(table))[i] = value;
    }
};

/// Page-table pages are single frames from the buddy allocator.
struct FrameTableAllocator {
    FrameAllocator* frames;

    std::optional<PhysAddr> allocate_table() { return frames->allocate(0); }
    void free_unpublished_table(PhysAddr table) { (void)frames->release(table, 0); }
};

/// One update's retirements: detached tables (and, for address spaces that own their frames, unmapped frames)
/// collected in a batch of the frame allocator; finish() frees them after the shootdown the update needs.
struct DeferredCleanup {
    enum class Frames : std::uint8_t {
        caller_owned, ///< the mapped frames belong to someone else (device memory, the kernel image)
        table_owned,  ///< each mapping was backed by one block of exactly its page size, allocated here
    };

    FrameAllocator* frames;
    Frames ownership = Frames::caller_owned;
    RetiredBatch batch{};
    std::uint64_t refused = 0; ///< retirements the allocator did not recognise as its allocations

    void retire_table(PhysAddr table) { refused += !frames->retire(table, 0, batch); }
    void retire_frame(PhysAddr frame, PageSize size) {
        if (ownership == Frames::table_owned)
            refused += !frames->retire(frame, (level_of(size) - 1) * 9, batch);
    }
};

using KernelPageTable = PageTable<PhysWindowMemory, FrameTableAllocator, DeferredCleanup>;

/// Finish an update: drop `flush` on every CPU, which also waits out page-table walks still inside detached
/// tables, then free what the update retired. `flush` is never `none` when something was retired.
inline void finish(DeferredCleanup& cleanup, const Flush& flush, arch::AddressSpaceId asid = 0) {
    if (flush.kind != Flush::Kind::none) arch::tlb_shootdown(arch::CpuMask::all(), asid, flush);
    cleanup.frames->release_batch(cleanup.batch);
}

} // namespace kernel::mem
