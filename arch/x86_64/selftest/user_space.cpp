#include "arch/x86_64/selftest/user_space.hpp"

#include "arch/phys.hpp"
#include "arch/x86_64/address_space.hpp"
#include "kernel/lib/print.hpp"
#include "kernel/mem/frames.hpp"

extern "C" const char __kernel_phys_start[], __kernel_phys_end[];

namespace arch::x86::selftest {

namespace {

using namespace kernel::mem;

constexpr std::uint64_t page = 4096;

PhysWindowMemory memory;
FrameTableAllocator tables{&frames()};
DeferredCleanup cleanup{&frames()};

std::uint64_t* words(PhysAddr frame) {
    return static_cast<std::uint64_t*>(phys_to_virt(frame));
}

std::optional<PhysAddr> zeroed_frame() {
    std::optional<PhysAddr> f = frames().allocate(0);
    if (f)
        for (unsigned i = 0; i < page / 8; ++i) words(*f)[i] = 0;
    return f;
}

bool map(KernelPageTable& table, std::uint64_t va, PhysAddr frame, Rights rights) {
    auto r =
        table.map(va, frame, page, PageSize::size_4k, Attributes{rights, Cache::write_back, false}, cleanup);
    return r.ok();
}

} // namespace

Flush UserSpace::point_probe_at(unsigned which) {
    KernelPageTable table(memory, tables, root.top_table);
    auto r = table.map(probe_va, probe[which], page, PageSize::size_4k,
                       Attributes{Rights{false, false, true}, Cache::write_back, false}, cleanup);
    return r ? r.value() : Flush{Flush::Kind::all, 0, 0};
}

bool build_user_space(const kernel::boot::BootInfo& info, std::span<const std::uint8_t> program,
                      UserSpace& space) {
    // Keep the kernel image, the boot modules and the first MiB (firmware data) out of the allocator.
    PhysRange reserved[2 + kernel::boot::BootInfo::max_modules];
    std::size_t n = 0;
    reserved[n++] = {0, 0x10'0000};
    reserved[n++] = {reinterpret_cast<std::uintptr_t>(__kernel_phys_start),
                     reinterpret_cast<std::uintptr_t>(__kernel_phys_end)};
    for (std::size_t i = 0; i < info.module_count; ++i)
        reserved[n++] = {info.modules[i].base, info.modules[i].base + info.modules[i].size};
    if (!init_frames(frames(), info.memory, std::span(reserved, n))) {
        kernel::println("selftest user: no frame allocator (boot memory map unusable)");
        return false;
    }

    auto created = KernelPageTable::create(memory, tables);
    if (!created) {
        kernel::println("selftest user: no frame for the top-level table");
        return false;
    }
    KernelPageTable& table = created.value();
    prepare_user_top_table(table.root());

    std::optional<PhysAddr> f[5];
    for (auto& frame : f) {
        if (!(frame = zeroed_frame())) {
            kernel::println("selftest user: out of frames");
            return false;
        }
    }
    space = UserSpace{{table.root(), UserSpace::asid}, *f[0], *f[1], *f[2], {*f[3], *f[4]}};
    auto* code = static_cast<std::uint8_t*>(phys_to_virt(space.code));
    for (std::size_t i = 0; i < program.size() && i < page; ++i) code[i] = program[i];
    words(space.probe[0])[0] = UserSpace::probe_value(0);
    words(space.probe[1])[0] = UserSpace::probe_value(1);

    bool mapped = map(table, UserSpace::code_va, space.code, Rights{false, true, true}) &&
                  map(table, UserSpace::data_va, space.data, Rights{true, false, true}) &&
                  map(table, UserSpace::stack_va, space.stack, Rights{true, false, true}) &&
                  map(table, UserSpace::probe_va, space.probe[0], Rights{false, false, true});
    if (!mapped) kernel::println("selftest user: mapping the user pages failed");
    return mapped;
}

} // namespace arch::x86::selftest
