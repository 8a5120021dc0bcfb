#include "kernel/boot_root/boot_root.hpp"
#include "kernel/abi/abi.hpp"
#include "kernel/lifecycle/root.hpp"

#include "arch/cpu.hpp"
#include "kernel/boot_root/root_module.hpp"
#include "kernel/boot_root/root_modules.hpp"
#include "kernel/boot_root/root_platform.hpp"
#include "kernel/boot_root/root_space.hpp"
#include "kernel/ipc/ipc.hpp"
#include "kernel/lib/print.hpp"
#include "kernel/lib/spinlock.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"

namespace kernel {

namespace layout = janus::abi::root_mem;

namespace {

constexpr std::uint64_t page = janus::abi::page_bytes;
constexpr std::uint64_t pool_granule = std::uint64_t{2} << 20;
constexpr unsigned root_cap_order = 12; // the largest space the ABI allows: the root hands out from it
constexpr std::uint32_t root_priority = 128;

const char* reason(mem::FramesError e) {
    switch (e) {
    case mem::FramesError::no_usable_memory:
        return "no usable memory outside the kernel and the modules";
    case mem::FramesError::span_too_large:
        return "usable memory spreads too wide for the frame allocator";
    case mem::FramesError::no_room_for_metadata:
        return "no usable piece holds the frame allocator's bookkeeping";
    }
    return "unknown";
}

bool init_memory(const boot::BootInfo& info, std::span<const mem::PhysRange> machine) {
    mem::PhysRange reserved[max_machine_reserved + boot::BootInfo::max_modules];
    std::size_t n = 0;
    for (const mem::PhysRange& r : machine)
        if (n < max_machine_reserved) reserved[n++] = r;
    // The modules stay reserved for good: the root module is read while the root task is built, and a
    // module's range is boot input, so donating it afterwards would need clipping against everything else.
    for (std::size_t i = 0; i < info.module_count; ++i) {
        const boot::Module& m = info.modules[i];
        const std::uint64_t end = m.base + m.size < m.base ? ~std::uint64_t{0} : m.base + m.size;
        reserved[n++] = {m.base, end};
    }
    auto made = mem::init_frames(mem::frames(), info.memory, std::span(reserved, n));
    if (!made) {
        println("boot: no frame allocator: ", reason(made.error()));
        return false;
    }
    println("boot: ", size(mem::frames().free_frames() * page), " of free memory");
    return true;
}

} // namespace

bool boot_root(Kernel& kernel, FramePageSource& pages, const boot::BootInfo& info,
               std::span<const mem::PhysRange> reserved, boot::PhysReader& reader, RootBoot& out) {
    const boot::Module* module = find_root_module(info);
    if (!module) {
        println(
            "boot: no root task: give its ELF as a boot module (GRUB: module2 /boot/roottask.elf roottask; "
            "QEMU: -initrd roottask.elf)");
        return false;
    }
    // Its pages are mapped into the module window later: refuse a range that may not reach user space now,
    // before its bytes are read.
    if (const ModuleRange range = check_module_range(*module, info.memory, reserved);
        range.verdict != ModuleRange::Verdict::ok) {
        put_module(console(), *module);
        print(" rejected: ");
        put(console(), *module, range);
        println("");
        return false;
    }
    RootImage image;
    if (!load_root_module(*module, reader, image) || !image_fits_root_layout(*module, image)) return false;
    put_module(console(), *module);
    println(": root task, ", image.elf.count, " segments, entry ", hex(image.elf.entry));

    if (!init_memory(info, reserved)) return false;
    kernel.init(pages, arch::cpu_count());

    // A quarter of free memory becomes the root's pool (whole 2 MiB blocks), half of the rest its kernel
    // quota: objects take more physical memory than their charges (slab slack, page tables), hence the
    // margin.
    const std::uint64_t free = mem::frames().free_frames() * page;
    std::uint64_t pool = free / 4 / pool_granule * pool_granule;
    if (pool > layout::pool_max_bytes) pool = layout::pool_max_bytes;
    out.quota = (free - pool) / 2 / page * page;

    RootConfig config;
    config.quota = out.quota;
    config.cap_order = root_cap_order;
    config.utcb = layout::utcb;
    config.priority = root_priority;
    config.cpu = 0;
    auto root = create_root(kernel, config);
    if (!root) {
        println("boot: could not create the root domain (",
                root.error() == RootError::out_of_memory ? "out of memory" : "bad configuration", ")");
        return false;
    }
    out.root = root.value();
    Pd& pd = *out.root.pd;
    if (!map_root_image(kernel, pd, mem::frames(), image) || !map_root_stack(kernel, pd, mem::frames()))
        return false;
    // Before the pool, which takes what it can get: the modules' mapping nodes and tables come first.
    out.modules = map_root_modules(kernel, pd, mem::frames(), info, *module, reserved);
    if (out.modules == 0 || !map_root_platform(kernel, pd, mem::frames(), info)) return false;
    out.pool_bytes = map_root_pool(kernel, pd, mem::frames(), pool);
    out.entry = image.elf.entry;

    Thread& t = *out.root.thread;
    SpinGuard guard(kernel.lock);
    ipc::start(kernel, t, image.elf.entry, layout::stack_top);
    arch::start_word(t.frame, 0) = layout::pool;
    arch::start_word(t.frame, 1) = out.pool_bytes;
    arch::start_word(t.frame, 2) = kernel.cpu_count;
    println("root: quota ", size(out.quota), ", pool ", size(out.pool_bytes), " at ", hex(layout::pool),
            ", stack at ", hex(layout::stack_top - layout::stack_bytes), ", UTCB at ", hex(layout::utcb));
    return true;
}

} // namespace kernel
