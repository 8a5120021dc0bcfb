#include "kernel/boot_root/root_modules.hpp"
#include "kernel/abi/abi.hpp"

#include "arch/phys.hpp"
#include "kernel/boot_root/root_module.hpp"
#include "kernel/kernel.hpp"
#include "kernel/mapdb/mapdb.hpp"
#include "kernel/obj/pd.hpp"

namespace kernel {

namespace spec = janus::abi;
namespace layout = janus::abi::root_mem;
namespace r = janus::abi::rights;

namespace {

constexpr std::uint64_t page = janus::abi::page_bytes;
constexpr std::uint64_t slot_granule = std::uint64_t{2} << 20; // each module from a fresh 2 MiB boundary
constexpr std::uint64_t window_end = layout::modules + layout::modules_max_bytes;
// Never write. Exec, because nothing else in ring 3 can become executable: the pool is rw-, and a root task
// such as init runs its components' text straight from their modules (docs/init.md).
constexpr std::uint64_t module_rights = r::read | r::exec | r::grant;
constexpr std::uint64_t table_rights = r::read | r::grant;

static_assert(boot::BootInfo::max_modules <= spec::max_root_modules, "the table lists every module");
static_assert(boot::Module::name_capacity == spec::module_name_bytes, "names are copied whole");
static_assert(layout::modules % slot_granule == 0 && layout::modules_max_bytes % slot_granule == 0);
static_assert(layout::module_table + page == layout::modules);
static_assert(layout::pool + layout::pool_max_bytes <= layout::module_table, "the windows do not overlap");

constexpr std::uint64_t page_down(std::uint64_t a) {
    return a & ~(page - 1);
}
/// Rounded up to a page; saturates (at the last page boundary) instead of wrapping.
constexpr std::uint64_t page_up(std::uint64_t a) {
    return a > ~(page - 1) ? ~(page - 1) : page_down(a + page - 1);
}

bool inside_usable_region(const boot::MemoryMap& memory, std::uint64_t base, std::uint64_t end) {
    for (const boot::MemoryRegion& region : memory)
        if (region.type == boot::MemoryType::usable && region.base <= base && end <= region.end())
            return true;
    return false;
}

/// The modules in table order: the root's own first, then every other in boot order.
const boot::Module* nth_module(const boot::BootInfo& info, const boot::Module& root_module, std::size_t n) {
    if (n == 0) return &root_module;
    const auto root_index = static_cast<std::size_t>(&root_module - info.modules);
    return &info.modules[n <= root_index ? n - 1 : n];
}

/// Starts the line that says why `module` is not handed over: the root's own is rejected (the boot stops),
/// any other is skipped (the root task runs without it).
void not_handed_over(const boot::Module& module, bool own) {
    put_module(console(), module);
    print(own ? " rejected: " : " skipped: ");
}

void put_error(Error e) {
    if (e == Error::quota_exhausted) {
        print("out of kernel memory");
    } else {
        print("unexpected error ", static_cast<std::uint64_t>(e));
    }
}

/// A zeroed frame for the table, reachable through the physical window, or 0.
std::uint64_t table_frame(mem::FrameAllocator& frames) {
    auto pa = frames.allocate(0);
    if (!pa) return 0;
    if (!arch::phys_accessible(*pa, page)) {
        println("root: frame ", hex(*pa), " lies outside the physical window; not used");
        return 0;
    }
    auto* words = static_cast<std::uint64_t*>(arch::phys_to_virt(*pa));
    for (std::uint64_t i = 0; i < page / sizeof *words; ++i) words[i] = 0;
    return *pa;
}

} // namespace

ModuleRange check_module_range(const boot::Module& module, const boot::MemoryMap& memory,
                               std::span<const mem::PhysRange> reserved) {
    ModuleRange out;
    out.page_base = out.page_end = page_down(module.base);
    if (module.size == 0) return out; // no page to hand over
    if (module.size > ~std::uint64_t{0} - module.base || module.base + module.size > ~(page - 1)) {
        out.verdict = ModuleRange::Verdict::wraps;
        return out;
    }
    out.page_end = page_up(module.base + module.size);
    if (!inside_usable_region(memory, out.page_base, out.page_end)) {
        out.verdict = ModuleRange::Verdict::outside_usable;
        return out;
    }
    for (const mem::PhysRange& kept : reserved) {
        if (kept.end <= kept.base) continue; // empty (a machine's ranges never wrap)
        if (out.page_base < page_up(kept.end) && page_down(kept.base) < out.page_end) {
            out.verdict = ModuleRange::Verdict::reserved_overlap;
            out.clash = kept;
            return out;
        }
    }
    return out;
}

void put(Sink& s, const boot::Module& module, const ModuleRange& range) {
    switch (range.verdict) {
    case ModuleRange::Verdict::ok:
        print_to(s, "its pages can be handed over");
        return;
    case ModuleRange::Verdict::wraps:
        print_to(s, "its range ", hex(module.base), "+", hex(module.size), " wraps around the address space");
        return;
    case ModuleRange::Verdict::outside_usable:
        print_to(s, "its ", size(module.size), " at ", hex(module.base),
                 " are not inside usable memory of the memory map");
        return;
    case ModuleRange::Verdict::reserved_overlap:
        print_to(s, "its pages ", hex(range.page_base), "-", hex(range.page_end),
                 " overlap memory the kernel keeps (", hex(range.clash.base), "-", hex(range.clash.end), ")");
        return;
    }
}

std::uint64_t map_root_modules(Kernel& kernel, Pd& root, mem::FrameAllocator& frames,
                               const boot::BootInfo& info, const boot::Module& root_module,
                               std::span<const mem::PhysRange> reserved) {
    const std::uint64_t table_pa = table_frame(frames);
    if (!table_pa) {
        println("root: out of memory for the module table");
        return 0;
    }
    auto& table = *static_cast<spec::ModuleTable*>(arch::phys_to_virt(table_pa));
    std::uint64_t cursor = layout::modules;
    for (std::size_t n = 0; n < info.module_count; ++n) {
        const boot::Module& m = *nth_module(info, root_module, n);
        const bool own = n == 0; // boot_root checked its range before anything was built
        const ModuleRange range = check_module_range(m, info.memory, reserved);
        const std::uint64_t bytes = range.page_end - range.page_base;
        // The window first (a module too large for it is skipped whatever its range), then memory.
        const bool wraps = range.verdict == ModuleRange::Verdict::wraps;
        const bool fits = !wraps && bytes <= window_end - cursor;
        Error mapped = Error::ok;
        if (fits && range.verdict == ModuleRange::Verdict::ok &&
            (bytes == 0 || (mapped = grant_root_memory(kernel.mapdb, root, cursor, range.page_base,
                                                       bytes / page, module_rights)) == Error::ok)) {
            spec::ModuleEntry& entry = table.entries[table.count];
            entry.address = cursor + (m.base - range.page_base);
            entry.size = m.size;
            for (std::size_t i = 0; i + 1 < spec::module_name_bytes && m.name[i]; ++i)
                entry.name[i] = m.name[i];
            println("boot: module ", table.count, " \"", m.name, "\" ", size(m.size), " at ",
                    hex(entry.address));
            ++table.count;
            cursor += (bytes + slot_granule - 1) / slot_granule * slot_granule; // bytes <= the space left
            continue;
        }
        not_handed_over(m, own);
        if (!wraps && !fits) {
            println("its ", size(m.size), " do not fit the root task's module window (",
                    size(window_end - cursor), " left of ", size(layout::modules_max_bytes), " at ",
                    hex(layout::modules), ")");
        } else if (range.verdict != ModuleRange::Verdict::ok) {
            put(console(), m, range);
            println("");
        } else {
            print("mapping its pages failed: ");
            put_error(mapped);
            println("");
        }
        if (own) return 0;
    }
    if (const Error e =
            grant_root_memory(kernel.mapdb, root, layout::module_table, table_pa, 1, table_rights);
        e != Error::ok) {
        print("root: mapping the module table failed: ");
        put_error(e);
        println("");
        return 0;
    }
    return table.count;
}

} // namespace kernel
