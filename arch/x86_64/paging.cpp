#include "arch/x86_64/paging.hpp"

#include <optional>

#include "arch/tlb.hpp"
#include "arch/x86_64/address_space.hpp"
#include "arch/x86_64/cpu_ops.hpp"
#include "arch/x86_64/gdt.hpp"
#include "arch/x86_64/layout.hpp"
#include "kernel/mem/kernel_page_table.hpp"
#include "kernel/panic.hpp"

// Section boundaries from kernel.ld (virtual addresses in the higher half).
extern "C" const char __text_start[], __text_end[], __rodata_start[], __rodata_end[], __data_start[],
    __stacks_start[], __stacks_end[], boot_stack_guard[];

namespace arch::x86 {

namespace {

using namespace kernel::mem;

constexpr std::uint64_t page = 4096;
constexpr std::uint64_t cr4_pge = 1u << 7;

/// Table pages for the kernel's tree: the kernel image and the direct map need about a dozen, device and
/// framebuffer mappings a few more.
constexpr unsigned pool_pages = 64;
alignas(4096) std::uint8_t pool[pool_pages][page];
unsigned pool_used = 0;
std::optional<PhysAddr> returned; ///< the one table given back after a lost race, handed out again first

std::uint64_t va(const void* p) {
    return reinterpret_cast<std::uintptr_t>(p);
}
PhysAddr image_pa(std::uint64_t v) {
    return v - kernel_vma;
}
std::uint64_t page_up(std::uint64_t v) {
    return (v + page - 1) & ~(page - 1);
}

struct PoolAllocator {
    std::optional<PhysAddr> allocate_table() {
        if (std::optional<PhysAddr> t = returned) {
            returned.reset();
            return t;
        }
        if (pool_used == pool_pages) return std::nullopt;
        return image_pa(va(pool[pool_used++]));
    }
    void free_unpublished_table(PhysAddr table) { returned = table; }
};

/// The kernel's mappings are never torn down for reuse: a table a larger page replaces is simply left alone.
struct NoCleanup {
    void retire_table(PhysAddr) {}
    void retire_frame(PhysAddr, PageSize) {}
};

using KernelTables = PageTable<PhysWindowMemory, PoolAllocator, NoCleanup>;

PhysWindowMemory memory;
PoolAllocator allocator;
NoCleanup cleanup;
std::optional<KernelTables> tables;

constexpr Rights read_execute{false, true, false}, read_only{false, false, false},
    read_write{true, false, false};

Attributes kernel_attributes(Rights rights, Cache cache = Cache::write_back) {
    return Attributes{rights, cache, true};
}

void must(bool ok, const char* what) {
    if (!ok) kernel::panic("paging: cannot map ", what, " (table pool of ", pool_pages, " pages exhausted?)");
}

/// Map and drop whatever the change makes stale (nothing while the tables are not loaded yet).
bool map(std::uint64_t v, PhysAddr pa, std::uint64_t size, PageSize page_size, const Attributes& a) {
    auto flush = tables->map(v, pa, size, page_size, a, cleanup);
    if (!flush) return false;
    if (kernel_root() == tables->root()) tlb_invalidate(0, flush.value());
    return true;
}

constexpr unsigned guard_pages = 1 + ist::count;

/// The stacks' guard pages in ascending order (the link order decides where each stack lands).
struct Guards {
    std::uint64_t at[guard_pages];

    Guards() {
        at[0] = va(boot_stack_guard);
        for (unsigned i = 0; i < ist::count; ++i) at[1 + i] = va(ist_stack_guard(i));
        for (unsigned i = 1; i < guard_pages; ++i) {
            for (unsigned j = i; j > 0 && at[j - 1] > at[j]; --j) {
                std::uint64_t t = at[j];
                at[j] = at[j - 1];
                at[j - 1] = t;
            }
        }
    }
};

void* map_in_direct_area(std::uint64_t pa, std::uint64_t size, Cache cache) {
    constexpr std::uint64_t direct_area_size = 512ull << 30; // one top-level entry
    if (size == 0 || pa >= direct_area_size || size > direct_area_size - pa) return nullptr;
    std::uint64_t first = pa & ~(page - 1), end = page_up(pa + size);
    if (!map(direct_map_base + first, first, end - first, PageSize::size_4k,
             kernel_attributes(read_write, cache)))
        return nullptr;
    return direct_map_address(pa);
}

} // namespace

void setup_pat() {
    constexpr std::uint32_t edx_pat = 1u << 16;
    if (cpuid(1).edx & edx_pat) wrmsr(msr_pat, arch::PteEncoding::pat_msr);
}

void install_kernel_tables() {
    auto created = KernelTables::create(memory, allocator);
    must(created.ok(), "the top-level table");
    tables.emplace(created.value());

    auto image = [](const char* start, const char* end, Rights rights, const char* what) {
        std::uint64_t s = va(start), e = page_up(va(end));
        if (e > s) must(map(s, image_pa(s), e - s, PageSize::size_4k, kernel_attributes(rights)), what);
    };
    image(__text_start, __text_end, read_execute, ".text");
    image(__rodata_start, __rodata_end, read_only, ".rodata");
    image(__data_start, __stacks_end, read_write, ".data, .bss and .stacks");
    for (std::uint64_t guard : Guards().at)
        must(tables->unmap(guard, page, cleanup).ok(), "a stack guard page");
    must(map(direct_map_base, 0, direct_map_size, PageSize::size_2m, kernel_attributes(read_write)),
         "the direct map");

    set_kernel_root(tables->root());
    write_cr4(read_cr4() | cr4_pge);
}

void report_kernel_layout() {
    auto line = [](const char* what, std::uint64_t start, std::uint64_t end, const char* rights) {
        kernel::println("paging: ", what, " ", kernel::hex(start), "-", kernel::hex(end), " ", rights);
    };
    line("text", va(__text_start), page_up(va(__text_end)), "r-x");
    line("rodata", va(__rodata_start), page_up(va(__rodata_end)), "r--");
    line("data", va(__data_start), va(__stacks_start), "rw-");
    std::uint64_t cursor = va(__stacks_start);
    for (std::uint64_t guard : Guards().at) {
        if (guard > cursor) line("stacks", cursor, guard, "rw-");
        line("guard", guard, guard + page, "---");
        cursor = guard + page;
    }
    line("stacks", cursor, va(__stacks_end), "rw-");
    line("direct-map", direct_map_base, direct_map_base + direct_map_size, "rw-");
}

void* map_device(std::uint64_t pa, std::uint64_t size) {
    return map_in_direct_area(pa, size, Cache::uncached);
}

void* map_framebuffer(std::uint64_t pa, std::uint64_t size) {
    return map_in_direct_area(pa, size, Cache::write_combining);
}

bool map_kernel_pages(std::uint64_t v, std::uint64_t pa, std::uint64_t size, Rights rights) {
    return map(v, pa, size, PageSize::size_4k, kernel_attributes(rights));
}

} // namespace arch::x86
