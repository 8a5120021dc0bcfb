#include "kernel/mem/testing/page_table_lin_programs.hpp"

#include <random>

namespace kernel::mem::testing::lin {
namespace {

constexpr std::uint64_t K4 = 4096, M2 = 2ull << 20, G1 = 1ull << 30;

const Rights rw{true, false, false}, rx{false, true, false}, ro{}, rwx{true, true, false};

// Hot spots: the window's first pages, both sides of the 2 MiB boundary, the second region's first pages.
constexpr std::uint64_t small_spots[] = {0, K4, 2 * K4, M2 - K4, M2, M2 + K4};
constexpr std::uint64_t read_spots[] = {0, K4, 2 * K4, M2 - K4, M2, M2 + K4, 4 * M2, G1 - K4};

struct Dice {
    std::mt19937_64 rng; // the engine is specified exactly; distributions are not, so they are not used
    std::uint64_t below(std::uint64_t n) { return rng() % n; }
    template <typename T, std::size_t N>
    T pick(const T (&a)[N]) {
        return a[below(N)];
    }
};

Rights any_rights(Dice& d) {
    const Rights all[] = {rw, rx, ro, rwx};
    return d.pick(all);
}

Call random_call(Dice& d) {
    const std::uint64_t r = d.below(100);
    if (r < 30) {
        const std::uint64_t s = d.below(100);
        const Cache cache = d.below(5) == 0 ? Cache::write_combining : Cache::write_back;
        if (s < 55)
            return map_call(window + d.pick(small_spots), (1 + d.below(2)) * K4, PageSize::size_4k,
                            any_rights(d), cache);
        if (s < 90) {
            const VirtAddr va = window + d.below(2) * M2;
            return map_call(va, (va == window && d.below(5) == 0 ? 2 : 1) * M2, PageSize::size_2m,
                            any_rights(d), cache);
        }
        return map_call(window, G1, PageSize::size_1g, any_rights(d), cache);
    }
    if (r < 50) return protect_call(window + d.pick(small_spots), (1 + d.below(2)) * K4, any_rights(d));
    if (r < 65) {
        const std::uint64_t s = d.below(100);
        if (s < 60) return unmap_call(window + d.pick(small_spots), (1 + d.below(2)) * K4, PageSize::size_4k);
        if (s < 95) return unmap_call(window + d.below(2) * M2, M2, PageSize::size_2m);
        return unmap_call(window, G1, PageSize::size_1g);
    }
    if (r < 85) return lookup_call(window + d.pick(read_spots) + 0x10);
    return translate_call(window + d.pick(read_spots) + 0x18);
}

} // namespace

Call map_call(VirtAddr va, std::uint64_t bytes, PageSize size, Rights r, Cache c) {
    Call call;
    call.kind = OpKind::map;
    call.va = va;
    call.bytes = bytes;
    call.size = size;
    call.pa = phys_base + (va - window);
    call.attributes = Attributes{r, c, false};
    return call;
}
Call unmap_call(VirtAddr va, std::uint64_t bytes, PageSize unit) {
    Call call;
    call.kind = OpKind::unmap;
    call.va = va;
    call.bytes = bytes;
    call.size = unit;
    return call;
}
Call protect_call(VirtAddr va, std::uint64_t bytes, Rights r) {
    Call call;
    call.kind = OpKind::protect;
    call.va = va;
    call.bytes = bytes;
    call.rights = r;
    return call;
}
Call lookup_call(VirtAddr va) {
    Call call;
    call.kind = OpKind::lookup;
    call.va = va;
    return call;
}
Call translate_call(VirtAddr va) {
    Call call;
    call.kind = OpKind::translate;
    call.va = va;
    return call;
}

Program random_program(std::uint64_t seed, unsigned cpus, unsigned ops) {
    Dice d{std::mt19937_64(seed)};
    Program p;
    switch (d.below(4)) {
    case 0:
        break; // an empty table
    case 1:    // a superpage beside small pages
        p.setup = {map_call(window, M2, PageSize::size_2m, rx),
                   map_call(window + M2, 2 * K4, PageSize::size_4k, rw)};
        break;
    case 2: // a 1 GiB page over everything
        p.setup = {map_call(window, G1, PageSize::size_1g, rx)};
        break;
    default: // small pages beside a superpage
        p.setup = {map_call(window, 3 * K4, PageSize::size_4k, rw),
                   map_call(window + M2, M2, PageSize::size_2m, rx)};
        break;
    }
    p.cpus.resize(cpus);
    for (std::vector<Call>& calls : p.cpus)
        for (unsigned i = 0; i < ops; ++i) calls.push_back(random_call(d));
    return p;
}

Program protect_against_merge() {
    Program p;
    p.setup = {map_call(window, M2, PageSize::size_2m, rx)};
    p.cpus = {
        {protect_call(window + K4, K4, ro), lookup_call(window + 8 * K4)},
        {map_call(window, M2, PageSize::size_2m, rw), protect_call(window + M2 - K4, 2 * K4, rwx)},
        {lookup_call(window + K4), translate_call(window + 5 * K4)},
    };
    return p;
}

Program unmap_against_split() {
    Program p;
    p.setup = {map_call(window, M2, PageSize::size_2m, rx), map_call(window + M2, M2, PageSize::size_2m, rw)};
    p.cpus = {
        {unmap_call(window + K4, K4, PageSize::size_4k), translate_call(window + 3 * K4)},
        {protect_call(window + M2 - K4, 2 * K4, ro), map_call(window + 2 * K4, K4, PageSize::size_4k, rwx)},
        {translate_call(window + M2 + K4), map_call(window, M2, PageSize::size_2m, rw)},
    };
    return p;
}

} // namespace kernel::mem::testing::lin
