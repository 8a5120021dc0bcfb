#include "kernel/ipc/memory_items.hpp"

#include "kernel/abi/ipc.hpp"
#include "kernel/syscall/flexpage.hpp"

namespace kernel::ipc {

using enum janus::abi::Error;

Error memory_item_source_check(Pd&, std::uint64_t fpage) {
    if (!flexpage_well_formed(fpage)) return bad_flexpage;
    if (!user_range(fpage::base(fpage), flexpage_bytes(fpage))) return bad_address;
    // The memory side decides per source page (not_mapped, missing_rights); until it exists nothing is
    // mapped.
    return not_mapped;
}

Error memory_item_destination_check(Pd&, std::uint64_t, std::uint64_t, Pd&, bool, std::uint64_t) {
    return not_mapped;
}

std::uint64_t memory_item_transfer(Kernel&, Pd&, std::uint64_t, std::uint64_t, Pd&, bool, std::uint64_t) {
    return 0;
}

} // namespace kernel::ipc
