#include "kernel/main.hpp"

#include <new>

#include "arch/atomic.hpp"
#include "arch/cpu.hpp"
#include "kernel/boot_root/boot_root.hpp"
#include "kernel/boot_root/run_root.hpp"
#include "kernel/lib/print.hpp"
#include "kernel/obj/device_memory.hpp"
#include "kernel/version.hpp"

namespace kernel {

namespace {

/// What one boot runs: the machine's kernel and the root task's session, published to the other CPUs once the
/// root task is ready. The constructors are constexpr: nothing runs before boot initialises it.
struct Machine {
    Kernel kernel;
    arch::Atomic<std::uint32_t> root_ready{0}; ///< 1 once `session` may be used
    alignas(RootSession) unsigned char session_storage[sizeof(RootSession)] = {};
    RootSession* session = nullptr;
};
Machine machine;

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

void start(const boot::BootInfo& info, std::span<const mem::PhysRange> reserved, UserRunner* runner,
           std::span<const mem::PhysRange> kernel_owned) {
    // A fresh state on every boot: a host process boots one simulated machine after another. Plain stores,
    // before this CPU's first contact with the others (they wait for root_ready).
    new (&machine) Machine();
    print_boot_info(info);
    static FramePageSource pages(mem::frames());
    boot::WindowReader reader;
    RootBoot root;
    if (!boot_root(machine.kernel, pages, info, reserved, reader, root))
        arch::shutdown(arch::ExitStatus::panic);
    // Before the root task runs: what mmio_create may hand out (kernel/obj/device_memory.hpp).
    device_memory_from_boot(machine.kernel.device_memory, info, kernel_owned);
    if (!runner) {
        println("boot: this machine has no way to run user code; stopping");
        arch::shutdown(arch::ExitStatus::panic);
    }
    machine.session = new (machine.session_storage) RootSession(machine.kernel, *runner);
    machine.root_ready.store(1, arch::MemoryOrder::release);
    println("Janus: boot complete");

    arch::shutdown(run_root(machine.kernel, *machine.session));
}

void start_secondary() {
    while (machine.root_ready.load(arch::MemoryOrder::acquire) == 0) arch::cpu_relax();
    join_root(machine.kernel, *machine.session);
}

const Kernel& machine_kernel() {
    return machine.kernel;
}

} // namespace kernel
