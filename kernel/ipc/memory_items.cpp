// Memory typed items through the memory side: map_check and map_pages (kernel/mapdb/mapdb.hpp) are mem_map
// without its capability checks. A message carries at most one memory item, and it is transferred before the
// capability items: map_pages can still fail (quota_exhausted) after every check passed, and then nothing of
// the message has changed yet.
#include "kernel/ipc/memory_items.hpp"

#include "kernel/abi/flexpage.hpp"
#include "kernel/abi/ipc.hpp"
#include "kernel/kernel.hpp"
#include "kernel/mapdb/mapdb.hpp"
#include "kernel/obj/pd.hpp"

namespace kernel::ipc {

namespace item = janus::abi::item;
using enum janus::abi::Error;
namespace fpage = janus::abi::fpage;
using janus::abi::user_range;

namespace {

/// Where the item lands, or false if the window does not take it.
bool destination(std::uint64_t w0, std::uint64_t fpage, bool whole_space, std::uint64_t window,
                 std::uint64_t& dest) {
    const std::uint64_t offset = w0 & item::offset_mask, bytes = fpage::bytes(fpage);
    if (whole_space) {
        dest = offset;
        return user_range(dest, bytes);
    }
    if (window == 0 || !fpage::well_formed(window)) return false;
    const std::uint64_t size = fpage::bytes(window);
    if (offset >= size || bytes > size - offset) return false;
    dest = fpage::base(window) + offset;
    return true;
}

} // namespace

Error memory_item_source_check(Pd&, std::uint64_t fpage) {
    if (!fpage::well_formed(fpage)) return bad_flexpage;
    if (!user_range(fpage::base(fpage), fpage::bytes(fpage))) return bad_address;
    return ok; // the pages themselves are checked against the destination (map_check)
}

Error memory_item_destination_check(Pd& from, std::uint64_t w0, std::uint64_t fpage, Pd& to, bool whole_space,
                                    std::uint64_t window) {
    std::uint64_t dest = 0;
    if (!destination(w0, fpage, whole_space, window, dest)) return refused;
    const Error e = map_check(from, fpage, to, dest, (w0 & item::grant) != 0);
    // A source page too deep for a copy: refused, as a capability item that cannot be derived.
    return e == invalid_argument ? refused : e;
}

Error memory_item_transfer(Kernel& kernel, Pd& from, std::uint64_t w0, std::uint64_t fpage, Pd& to,
                           bool whole_space, std::uint64_t window, std::uint64_t& landed) {
    if (!destination(w0, fpage, whole_space, window, landed)) return refused;
    return map_checked_pages(kernel.mapdb, from, fpage, to, landed, (w0 & item::grant) != 0);
}

} // namespace kernel::ipc
