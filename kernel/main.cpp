#include "kernel/main.hpp"

#include "arch/cpu.hpp"
#include "kernel/lib/print.hpp"
#include "kernel/version.hpp"

namespace kernel {

void print_banner() { println("Janus ", version, " (build ", build_id, ")"); }

void boot_rejected(const boot::BootError& error) {
    println(error);
    arch::shutdown(arch::ExitStatus::panic);
}

void start(const boot::BootInfo& info) {
    println("boot: ", info.protocol == boot::Protocol::multiboot2 ? "multiboot2" : "PVH",
            info.loader_name[0] ? " from " : "", info.loader_name);
    if (info.cmdline[0]) println("boot: command line \"", info.cmdline, "\"");
    print(info.memory);
    println("boot: ", size(info.memory.usable_bytes()), " usable in ", info.memory.count, " regions");
    for (std::size_t i = 0; i < info.module_count; ++i) {
        const boot::Module& m = info.modules[i];
        println("boot: module ", hex(m.base), "+", hex(m.size), " \"", m.name, "\"");
    }
    println("Janus: boot complete");
    arch::shutdown(arch::ExitStatus::success);
}

} // namespace kernel
