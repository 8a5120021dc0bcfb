// arch/ipi.hpp on x86-64, and the path of every interrupt.
#include "arch/x86_64/interrupt.hpp"

#include "arch/x86_64/cpu_local.hpp"
#include "arch/x86_64/exception.hpp"
#include "arch/x86_64/lapic.hpp"
#include "arch/x86_64/time.hpp"
#include "arch/x86_64/tlb_shootdown.hpp"
#include "arch/x86_64/vectors.hpp"
#include "kernel/lib/print.hpp"
#include "kernel/panic.hpp"

namespace arch {

namespace {

InterruptHandler kernel_handler = nullptr;

} // namespace

namespace x86 {

void init_interrupts() {
    CpuLocal& cpu = this_cpu();
    if (!lapic::init(cpu.apic_id)) kernel::panic("interrupts: cannot map the local APIC");
    time::calibrate();
    kernel::println("interrupts: ", lapic::x2apic_mode() ? "x2APIC" : "xAPIC", " id ", cpu.apic_id, "; TSC ",
                    time::tsc_hz() / 1'000'000, " MHz, APIC timer ", time::lapic_timer_hz() / 1'000'000,
                    " MHz (PIT-calibrated)");
}

std::optional<Vector> dispatch_interrupt(Vector v) {
    CpuLocal& cpu = this_cpu();
    // The spurious vector is never in service and must not be acknowledged; `int n` and a stray interrupt of
    // the masked legacy PIC are not in service either. None of them is an event for the kernel.
    if (v == vector::spurious || !lapic::in_service(v)) {
        ++cpu.stray_interrupts;
        return std::nullopt;
    }
    lapic::eoi(); // interrupts stay masked until the handler returns, so a new one of `v` waits in the IRR
    Vector deliver = v;
    if (v == vector::local_timer) {
        std::optional<Vector> due = time::expire(cpu);
        if (!due) return std::nullopt;
        deliver = *due;
    } else if (v == vector::tlb_shootdown) {
        tlb_shootdown_acknowledge();
        return std::nullopt;
    }
    if (kernel_handler) kernel_handler(deliver);
    return deliver;
}

} // namespace x86

void set_interrupt_handler(InterruptHandler handler) {
    kernel_handler = handler;
}

void ipi_send(CpuId cpu, Vector v) {
    if (!x86::vector::kernel_may_use(v))
        kernel::panic("ipi_send: vector ", v, " is not a kernel interrupt vector");
    if (cpu >= cpu_count()) kernel::panic("ipi_send: CPU ", cpu, " is not online");
    IrqGuard guard; // the two ICR writes of an xAPIC must not be split by an interrupt that sends too
    if (cpu == cpu_id()) {
        x86::lapic::send_self(v);
    } else {
        x86::lapic::send(x86::cpu_local(cpu).apic_id, v);
    }
}

} // namespace arch

/// Interrupts that struck in ring 0 (entry_stubs.S); the interrupted code resumes when this returns.
extern "C" void x86_interrupt(arch::x86::ExceptionFrame* frame) {
    arch::x86::dispatch_interrupt(static_cast<arch::Vector>(frame->vector));
}
