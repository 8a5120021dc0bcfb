// Per-CPU state of the x86-64 port, reached through the GS base so that every CPU finds its own without
// knowing its index. One instance (the boot CPU) for now; application processors get theirs when SMP comes.
#pragma once

#include <cstddef>
#include <cstdint>

#include "arch/cpu.hpp"
#include "arch/x86_64/gdt.hpp"

namespace arch::x86 {

struct CpuLocal {
    CpuLocal* self; ///< at offset 0: %gs:0 yields this object's address
    CpuId id;
    bool in_exception; ///< an exception dump is in progress on this CPU (a second one must not recurse)
    Tss tss;
    Gdt gdt;
};

/// Point this CPU's GS base at `cpu` (before anything calls arch::cpu_id()).
void install_cpu_local(CpuLocal& cpu, CpuId id);

inline CpuLocal& this_cpu() {
    CpuLocal* cpu;
    asm volatile("mov %%gs:0, %0" : "=r"(cpu));
    return *cpu;
}

/// The boot CPU's instance.
extern CpuLocal boot_cpu; // NOLINT(bugprone-dynamic-static-initializers): a declaration, see cpu.cpp

} // namespace arch::x86
