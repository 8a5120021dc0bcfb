// arch/cpu.hpp on x86-64: CPU identity through GS, interrupt masking with pushf/cli/sti, idling with hlt.
#include "arch/cpu.hpp"

#include "arch/x86_64/cpu_local.hpp"
#include "arch/x86_64/cpu_ops.hpp"

namespace arch {

namespace x86 {

CpuLocal boot_cpu;

namespace {
/// Every CPU's block by index; entries are written once, when that CPU comes up.
CpuLocal* cpus[max_cpus];
/// CPUs online: 1 until the boot CPU has started the others (smp/ap_start.cpp), fixed from then on.
unsigned online = 1;
} // namespace

void set_cpu_count(unsigned count) {
    online = count;
}

void install_cpu_local(CpuLocal& cpu, CpuId id) {
    cpu.self = &cpu;
    cpu.id = id;
    cpus[id] = &cpu;
    wrmsr(msr_gs_base, reinterpret_cast<std::uintptr_t>(&cpu));
}

CpuLocal& cpu_local(CpuId cpu) {
    return *cpus[cpu];
}

} // namespace x86

CpuId cpu_id() {
    CpuId id;
    asm volatile("movl %%gs:%c1, %0" : "=r"(id) : "i"(offsetof(x86::CpuLocal, id)));
    return id;
}

unsigned cpu_count() {
    return x86::online;
}

IrqState irq_save() {
    IrqState s{irq_enabled()};
    irq_disable();
    return s;
}

void irq_restore(IrqState state) {
    if (state.enabled) irq_enable();
}

void irq_enable() {
    asm volatile("sti" : : : "memory");
}
void irq_disable() {
    asm volatile("cli" : : : "memory");
}
bool irq_enabled() {
    return x86::read_flags() & x86::flags_if;
}

// sti delays interrupt delivery by one instruction, so no interrupt can slip in between it and hlt and be
// missed while the CPU sleeps.
void wait_for_interrupt() {
    asm volatile("sti; hlt" : : : "memory");
}

} // namespace arch
