#include "kernel/main.hpp"

#include "arch/cpu.hpp"
#include "kernel/boot_root/boot_root.hpp"
#include "kernel/boot_root/run_root.hpp"
#include "kernel/lib/print.hpp"
#include "kernel/version.hpp"

namespace kernel {

namespace {

/// The machine's one kernel. Its constructor is constexpr: nothing runs before boot initialises it.
Kernel the_kernel;

void print_boot_info(const boot::BootInfo& info) {
    println("boot: ", info.protocol == boot::Protocol::multiboot2 ? "multiboot2" : "PVH",
            info.loader_name[0] ? " from " : "", info.loader_name);
    if (info.cmdline[0]) println("boot: command line \"", info.cmdline, "\"");
    print(info.memory);
    println("boot: ", size(info.memory.usable_bytes()), " usable in ", info.memory.count, " regions");
    for (std::size_t i = 0; i < info.module_count; ++i) {
        const boot::Module& m = info.modules[i];
        println("boot: module ", hex(m.base), "+", hex(m.size), " \"", m.name, "\"");
    }
}

} // namespace

void print_banner() {
    println("Janus ", version, " (build ", build_id, ")");
}

void boot_rejected(const boot::BootError& error) {
    println(error);
    arch::shutdown(arch::ExitStatus::panic);
}

void start(const boot::BootInfo& info) {
    start(info, {}, nullptr);
}

void start(const boot::BootInfo& info, std::span<const mem::PhysRange> reserved, UserRunner* runner) {
    print_boot_info(info);
    static FramePageSource pages(mem::frames());
    boot::WindowReader reader;
    RootBoot root;
    if (!boot_root(the_kernel, pages, info, reserved, reader, root)) arch::shutdown(arch::ExitStatus::panic);
    if (!runner) {
        println("boot: this machine has no way to run user code; stopping");
        arch::shutdown(arch::ExitStatus::panic);
    }
    println("Janus: boot complete");

    arch::shutdown(run_root(the_kernel, *runner));
}

} // namespace kernel
