#include "kernel/boot_root/root_space.hpp"

#include <cstddef>
#include <optional>

#include "arch/phys.hpp"
#include "kernel/kernel.hpp"
#include "kernel/mapdb/mapdb.hpp"
#include "kernel/obj/pd.hpp"

namespace kernel {

namespace spec = janus::abi;
namespace layout = janus::abi::root_mem;
namespace r = janus::abi::rights;

namespace {

constexpr std::uint64_t page = loader::page_size;
constexpr unsigned pool_block_order = 9; // 2 MiB: one page-table page maps a whole block

struct Window {
    const char* name;
    std::uint64_t begin, end;
};

constexpr Window windows[] = {
    {"stack", layout::stack_top - layout::stack_bytes, layout::stack_top},
    {"UTCB", layout::utcb, layout::utcb + page},
    {"pool", layout::pool, layout::pool + layout::pool_max_bytes},
    {"platform page", layout::platform, layout::platform + page},
    {"module table", layout::module_table, layout::module_table + page},
    {"module window", layout::modules, layout::modules + layout::modules_max_bytes},
};

/// A frame of 2^order pages, reachable through the physical window, or nullopt.
std::optional<std::uint64_t> take_frames(mem::FrameAllocator& frames, unsigned order) {
    auto pa = frames.allocate(order);
    if (!pa) return std::nullopt;
    if (!arch::phys_accessible(*pa, page << order)) {
        // init_frames only donates memory inside the window; keep anything else out of use, loudly.
        println("root: frame ", hex(*pa), " lies outside the physical window; not used");
        return std::nullopt;
    }
    return pa;
}

void zero(std::uint64_t pa, std::uint64_t bytes) {
    auto* p = static_cast<std::uint64_t*>(arch::phys_to_virt(pa));
    for (std::uint64_t i = 0; i < bytes / sizeof *p; ++i) p[i] = 0;
}

bool report(Error e, const char* what, std::uint64_t va) {
    if (e == Error::ok) return true;
    println("root: mapping the ", what, " page at ", hex(va),
            " failed: ", e == Error::quota_exhausted ? "out of kernel memory" : "unexpected error ",
            static_cast<std::uint64_t>(e));
    return false;
}

} // namespace

bool image_fits_root_layout(const boot::Module& module, const RootImage& image) {
    for (const loader::Segment& s : image.elf) {
        for (const Window& w : windows) {
            if (s.page_begin() < w.end && w.begin < s.page_end()) {
                put_module(console(), module);
                println(" rejected: segment ", hex(s.vaddr), "+", hex(s.memsz), " overlaps the root task's ",
                        w.name, " at ", hex(w.begin), "-", hex(w.end), " (docs/abi.md)");
                return false;
            }
        }
    }
    return true;
}

bool map_root_image(Kernel& kernel, Pd& root, mem::FrameAllocator& frames, const RootImage& image) {
    for (const loader::Segment& s : image.elf) {
        for (std::uint64_t va = s.page_begin(); va < s.page_end(); va += page) {
            auto pa = take_frames(frames, 0);
            if (!pa) {
                println("root: out of memory loading the root task (segment page ", hex(va), ")");
                return false;
            }
            auto* bytes = static_cast<std::byte*>(arch::phys_to_virt(*pa));
            // Cannot fail: the segment comes from parse_elf of this image and va is one of its pages.
            if (!loader::fill_page(image.bytes, image.size, s, va, bytes)) {
                println("root: segment page ", hex(va), " could not be filled");
                return false;
            }
            if (!report(grant_root_memory(kernel.mapdb, root, va, *pa, 1, s.rights | r::grant), "segment",
                        va))
                return false;
        }
    }
    return true;
}

bool map_root_stack(Kernel& kernel, Pd& root, mem::FrameAllocator& frames) {
    for (std::uint64_t va = layout::stack_top - layout::stack_bytes; va < layout::stack_top; va += page) {
        auto pa = take_frames(frames, 0);
        if (!pa) {
            println("root: out of memory for the root task's stack");
            return false;
        }
        zero(*pa, page);
        if (!report(grant_root_memory(kernel.mapdb, root, va, *pa, 1, r::read | r::write | r::grant), "stack",
                    va))
            return false;
    }
    return true;
}

std::uint64_t map_root_pool(Kernel& kernel, Pd& root, mem::FrameAllocator& frames, std::uint64_t bytes) {
    if (bytes > layout::pool_max_bytes) bytes = layout::pool_max_bytes;
    bytes &= ~(page - 1);
    std::uint64_t mapped = 0;
    unsigned order = pool_block_order;
    while (mapped < bytes) {
        while ((page << order) > bytes - mapped) --order;
        auto pa = take_frames(frames, order);
        if (!pa) {
            if (order == 0) break;
            --order;
            continue;
        }
        const std::uint64_t block = page << order;
        zero(*pa, block);
        Error e = grant_root_memory(kernel.mapdb, root, layout::pool + mapped, *pa, block / page,
                                    r::read | r::write | r::grant);
        if (e != Error::ok) {
            // Out of kernel memory for mapping nodes or tables: the pool ends here; the block goes back.
            (void)frames.release(*pa, order);
            break;
        }
        mapped += block;
    }
    return mapped;
}

} // namespace kernel
