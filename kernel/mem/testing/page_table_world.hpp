// One page table over fakes, with the independent walker and the audit at hand: the fixture of the
// mem.* page-table tests (host only).
#pragma once

#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "hostsim/pagewalk.hpp"
#include "kernel/mem/testing/page_table_fakes.hpp"
#include "models/address_space.hpp"

namespace kernel::mem::testing {

inline TestPageTable make_table(RecordingMemory& mem, FakeAllocator& alloc) {
    auto r = TestPageTable::create(mem, alloc);
    if (!r) throw std::runtime_error("no memory for the root table");
    return r.value();
}

struct World {
    explicit World(std::size_t table_pages = 1024)
        : ram(table_pages), mem(ram), alloc(ram), pt(make_table(mem, alloc)) {}

    TableRam ram;
    RecordingMemory mem;
    FakeAllocator alloc;
    TestPageTable pt;
    RecordingCleanup cleanup;

    /// What the MMU sees at `va` in the current memory, with the PAT the kernel programs.
    hostsim::PageWalk walk(VirtAddr va) const { return walk_in(ram, va); }
    hostsim::PageWalk walk_in(const TableRam& memory, VirtAddr va) const {
        hostsim::PagingMode mode;
        mode.pat = arch::PteEncoding::pat_msr;
        return hostsim::walk([&](std::uint64_t pa) { return memory.read(pa); }, pt.root(), va, mode);
    }

    std::string audit() const { return testing::audit(ram, pt.root(), alloc, cleanup.tables); }
};

// --- conversions between the kernel's vocabulary and the model's (tests only; the two share no code) ---

inline models::Rights to_model(const Rights& r) {
    return {r.write, r.execute, r.user};
}
inline models::Cache to_model(Cache c) {
    switch (c) {
    case Cache::write_back:
        return models::Cache::write_back;
    case Cache::write_combining:
        return models::Cache::write_combining;
    case Cache::uncached:
        return models::Cache::uncached;
    }
    throw std::logic_error("cache");
}

inline hostsim::MemoryType memory_type(models::Cache c) {
    switch (c) {
    case models::Cache::write_back:
        return hostsim::MemoryType::wb;
    case models::Cache::write_combining:
        return hostsim::MemoryType::wc;
    case models::Cache::uncached:
        return hostsim::MemoryType::uc;
    }
    throw std::logic_error("cache");
}

/// Empty if the walker's view of `va` is what the model says; else what differs. Page sizes are compared
/// only when `compare_size` (a split keeps translations but changes sizes).
inline std::string walk_matches(const hostsim::PageWalk& w, const std::optional<models::Found>& f,
                                VirtAddr va, bool compare_size = true) {
    using O = hostsim::PageWalk::Outcome;
    if (!f) return w.outcome == O::not_present ? "" : "walker finds a translation the model does not have";
    if (w.outcome != O::mapped) return "walker finds no translation";
    const models::Mapping& m = f->mapping;
    if (w.phys != m.frame + (va - f->page)) return "physical address differs";
    if (compare_size && w.page_size != m.size) return "page size differs";
    if (w.writable != m.rights.write || w.executable != m.rights.execute || w.user != m.rights.user)
        return "rights differ";
    if (w.type != memory_type(m.cache)) return "memory type differs";
    if (w.global != m.global) return "global bit differs";
    return {};
}

/// Empty if the kernel's lookup of `va` is what the model says (page sizes compared only if `compare_size`).
inline std::string lookup_matches(const std::optional<Translation>& t, const std::optional<models::Found>& f,
                                  VirtAddr va = 0, bool compare_size = true) {
    if (!t || !f)
        return bool(t) == bool(f) ? "" : (t ? "lookup finds an extra translation" : "lookup finds nothing");
    const models::Mapping& m = f->mapping;
    if (!compare_size) {
        if (t->frame + (va - t->page) != m.frame + (va - f->page)) return "lookup: physical address differs";
    } else if (t->page != f->page || t->frame != m.frame || bytes_of(t->size) != m.size) {
        return "lookup: page differs";
    }
    if (to_model(t->attributes.rights) != m.rights || to_model(t->attributes.cache) != m.cache ||
        t->attributes.global != m.global)
        return "lookup: attributes differ";
    return {};
}

/// Addresses worth probing around [va, va + bytes): both ends and every 2 MiB and 1 GiB boundary near them,
/// plus `extra` random pages of the enclosing 1 GiB regions (deterministic for a given seed).
inline std::vector<VirtAddr> probes(VirtAddr va, std::uint64_t bytes, unsigned extra = 32,
                                    unsigned seed = 1) {
    std::vector<VirtAddr> out;
    const std::uint64_t G = 1ull << 30, M2 = 2ull << 20, K4 = 4096;
    auto add = [&](VirtAddr a) {
        const std::uint64_t top = a >> 47;
        if (top == 0 || top == 0x1ffff) out.push_back(a);
    };
    const VirtAddr last = va + (bytes - 1);
    for (VirtAddr a : {va, last}) {
        for (std::uint64_t s : {K4, M2, G}) {
            VirtAddr b = a & ~(s - 1);
            add(b);
            add(b - K4);
            add(b + s - K4);
            add(b + s);
        }
        add(a + 0x123);
    }
    std::mt19937_64 rng(seed);
    const VirtAddr lo = va & ~(G - 1), hi = (last & ~(G - 1)) + G;
    for (unsigned i = 0; i < extra; ++i) add(lo + (rng() % ((hi - lo) / K4)) * K4 + (rng() % K4));
    return out;
}

} // namespace kernel::mem::testing
