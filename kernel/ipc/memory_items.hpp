// Memory typed items (flexpages) in messages, delegated to the memory side's mapping code (the part of
// mem_map after its capability checks, kernel/mapdb/mapdb.hpp).
#pragma once

#include <cstdint>

#include "kernel/kmem/object.hpp"

namespace kernel {

class Kernel;

namespace ipc {

/// The sender's side: a well-formed flexpage whose pages the sender may delegate.
Error memory_item_source_check(Pd& from, std::uint64_t fpage);
/// The receiver's side: where it lands (in `window`, or anywhere for `whole_space`) and that it fits
/// (map_check).
Error memory_item_destination_check(Pd& from, std::uint64_t w0, std::uint64_t fpage, Pd& to, bool whole_space,
                                    std::uint64_t window);
/// Maps (or grants) the item memory_item_destination_check accepted, with nothing changed since (its pages
/// are not looked at again); `landed` is where. Can still fail with quota_exhausted (the receiver pays),
/// changing nothing.
Error memory_item_transfer(Kernel& kernel, Pd& from, std::uint64_t w0, std::uint64_t fpage, Pd& to,
                           bool whole_space, std::uint64_t window, std::uint64_t& landed);

} // namespace ipc
} // namespace kernel
