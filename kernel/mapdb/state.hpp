// The memory side's kernel-wide state (one per Kernel): the mapping-node pool, the address spaces with
// invalidations still to do, and the next address-space tag.
#pragma once

#include <cstdint>

#include "arch/tlb.hpp"
#include "kernel/mapdb/node_pool.hpp"

namespace kernel {

struct AddressSpace;

namespace mapdb {

struct State {
    NodePool nodes;
    AddressSpace* dirty = nullptr; ///< spaces with pending invalidations (AddressSpace::next_dirty)
    /// Tags are handed out round robin over 1..max and may repeat: a shared tag only makes an invalidation
    /// reach another space too (without PCIDs a CPU caches only the space it has loaded, see arch/tlb.hpp).
    arch::AddressSpaceId last_asid = 0;
};

} // namespace mapdb
} // namespace kernel
