#include "fuzz/syscalls/scan.hpp"

#include "kernel/mapdb/mapdb.hpp"
#include "kernel/obj/pd.hpp"

namespace fuzzsys {

namespace {

/// Calls f(sel, slot) for every selector of `space` but 0, chunk by chunk: one CapSpace::slot call per chunk
/// (of 128 slots), since the linker may well pick an instrumented copy of that inline function.
template <typename F>
void each_slot(const kernel::CapSpace& space, F&& f) {
    constexpr std::uint64_t per_chunk = kernel::CapSpace::slots_per_chunk;
    for (std::uint64_t first = 0; first < space.size(); first += per_chunk) {
        const kernel::Slot* chunk = space.slot(first == 0 ? 1 : first) - (first == 0 ? 1 : 0);
        const std::uint64_t end = space.size() - first < per_chunk ? space.size() - first : per_chunk;
        for (std::uint64_t i = first == 0 ? 1 : 0; i < end; ++i) f(first + i, chunk[i]);
    }
}

/// The v-th (cyclically) selector of `space` that passes `match`, or 0 if none does.
template <typename Match>
std::uint64_t nth_selector(const kernel::CapSpace& space, std::uint8_t v, Match match) {
    std::uint64_t count = 0;
    each_slot(space, [&](std::uint64_t, const kernel::Slot& s) { count += match(s) ? 1 : 0; });
    if (count == 0) return 0;
    std::uint64_t want = v % count, found = 0;
    each_slot(space, [&](std::uint64_t sel, const kernel::Slot& s) {
        if (match(s) && want-- == 0) found = sel;
    });
    return found;
}

} // namespace

std::uint64_t nth_live(const kernel::CapSpace& space, std::uint8_t v, janus::abi::ObjectType type) {
    return nth_selector(space, v, [type](const kernel::Slot& s) {
        return !s.empty() && (type == janus::abi::ObjectType::none || s.object()->type == type);
    });
}

std::uint64_t nth_empty(const kernel::CapSpace& space, std::uint8_t v) {
    return nth_selector(space, v, [](const kernel::Slot& s) { return s.empty(); });
}

std::uint64_t nth_mapped_page(const kernel::Pd& pd, std::uint8_t v, std::uint64_t none) {
    std::uint64_t count = 0, page = none;
    kernel::visit_mappings(pd, [&count](std::uint64_t, std::uint64_t, std::uint64_t) { ++count; });
    if (count == 0) return page;
    std::uint64_t want = v % count;
    kernel::visit_mappings(pd, [&](std::uint64_t va, std::uint64_t, std::uint64_t) {
        if (want-- == 0) page = va;
    });
    return page;
}

} // namespace fuzzsys
