// Page-table memory on the host without a simulated machine: a buffer whose byte offset is the physical
// address, frames from the real buddy allocator, entries accessed through arch::Atomic exactly as the
// kernel's PhysWindowMemory does (outside a hostsim Machine the contract's atomics act on host memory
// directly). For real-thread races and benchmarks.
#pragma once

#include <vector>

#include "arch/atomic.hpp"
#include "kernel/mem/frame_allocator.hpp"
#include "kernel/mem/kernel_page_table.hpp"

namespace kernel::mem::testing {

struct HostRam {
    explicit HostRam(std::size_t frame_count) : words(frame_count * 512), info(frame_count) {
        auto span = FrameAllocator::span_covering(0, frame_count * frame_size);
        frames.init(*span, info.data());
        (void)frames.add_free_range(frame_size, frame_count * frame_size); // frame 0 stays out
    }
    std::vector<std::uint64_t> words;
    std::vector<FrameInfo> info;
    FrameAllocator frames;

    std::uint64_t read(PhysAddr pa) const { return __atomic_load_n(&words[pa / 8], __ATOMIC_ACQUIRE); }
};

/// The kernel's memory policy with the host buffer standing in for the physical-memory window.
struct HostAtomicMemory {
    using Entry = std::uint64_t;
    HostRam* ram;

    arch::Atomic<Entry>& slot(PhysAddr table, unsigned i) {
        return *reinterpret_cast<arch::Atomic<Entry>*>(&ram->words[table / 8 + i]);
    }
    Entry load(PhysAddr t, unsigned i) { return slot(t, i).load(arch::MemoryOrder::acquire); }
    bool compare_exchange(PhysAddr t, unsigned i, Entry& expected, Entry desired) {
        return slot(t, i).compare_exchange(expected, desired, arch::MemoryOrder::acq_rel);
    }
    Entry fetch_or(PhysAddr t, unsigned i, Entry bits) {
        return slot(t, i).fetch_or(bits, arch::MemoryOrder::acq_rel);
    }
    void initialise(PhysAddr t, unsigned i, Entry v) { ram->words[t / 8 + i] = v; }
};

} // namespace kernel::mem::testing
