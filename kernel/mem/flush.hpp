// What an address-space update requires of the TLBs, accumulated over the update.
//
// The rule (issue 3): a flush is needed when a translation disappears, its frame changes, its rights go down
// or its memory type or global bit changes, and when a page-table page is detached (paging-structure caches
// may still point into it). Rights that only go up, and new translations where there was none, need none:
// a CPU still holding the old entry takes at worst a spurious page fault, which the fault path re-checks.
#pragma once

#include "arch/tlb.hpp"
#include "kernel/mem/paging.hpp"

namespace kernel::mem {

using Flush = arch::TlbScope;

constexpr Flush no_flush() {
    return Flush{};
}
constexpr Flush flush_range(VirtAddr start, VirtAddr end) {
    return Flush{Flush::Kind::range, start, end};
}

/// The smallest scope covering both (a range hull; `all` absorbs everything).
constexpr Flush merge(const Flush& a, const Flush& b) {
    using K = Flush::Kind;
    if (a.kind == K::none) return b;
    if (b.kind == K::none) return a;
    if (a.kind == K::all || b.kind == K::all) return Flush{K::all, 0, 0};
    return flush_range(a.start < b.start ? a.start : b.start, a.end > b.end ? a.end : b.end);
}

/// True if replacing translation `before` by `after` (same page) leaves stale TLB entries that matter.
constexpr bool needs_flush(const Translation& before, const Translation& after) {
    return before.frame != after.frame || before.attributes.cache != after.attributes.cache ||
           before.attributes.global != after.attributes.global ||
           !after.attributes.rights.covers(before.attributes.rights);
}

} // namespace kernel::mem
