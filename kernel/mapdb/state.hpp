// The memory side's kernel-wide state (one per Kernel): where its memory comes from, the mapping-node pool,
// the address spaces with invalidations still to do, and the next address-space tag. Every operation of
// kernel/mapdb takes it; nothing there reaches the Kernel itself.
#pragma once

#include <cstdint>

#include "arch/tlb.hpp"
#include "kernel/mapdb/node_pool.hpp"

namespace kernel {

class Kmem;
struct AddressSpace;

namespace mapdb {

struct State {
    Kmem* kmem = nullptr; ///< nodes and page tables come from here (the Kernel's, set by Kernel::init)
    NodePool nodes;
    AddressSpace* dirty = nullptr; ///< spaces with pending invalidations (AddressSpace::next_dirty)
    /// Tags are handed out round robin over 1..max and may repeat: a shared tag only makes an invalidation
    /// reach another space too (without PCIDs a CPU caches only the space it has loaded, see arch/tlb.hpp).
    arch::AddressSpaceId last_asid = 0;
};

} // namespace mapdb
} // namespace kernel
