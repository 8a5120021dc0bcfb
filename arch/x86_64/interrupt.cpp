// arch/ipi.hpp on x86-64, and the path of every interrupt.
#include "arch/x86_64/interrupt.hpp"

#include "arch/irq_lines.hpp"
#include "arch/x86_64/cpu_local.hpp"
#include "arch/x86_64/exception.hpp"
#include "arch/x86_64/irq_lines.hpp"
#include "arch/x86_64/lapic.hpp"
#include "arch/x86_64/pic.hpp"
#include "arch/x86_64/pit.hpp"
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
    pit::start_periodic(irq_line_timer_hz); // device line 0, masked until the kernel unmasks it
    const time::Clocks& c = time::rates();
    kernel::println("interrupts: ", lapic::x2apic_mode() ? "x2APIC" : "xAPIC", " id ", cpu.apic_id);
    if (c.tsc_deadline) {
        kernel::println("time: TSC ", c.tsc.hz / 1'000'000, " MHz (", clock::name(c.tsc.source),
                        "), timer in TSC-deadline mode");
    } else {
        kernel::println("time: TSC ", c.tsc.hz / 1'000'000, " MHz (", clock::name(c.tsc.source),
                        "), APIC timer ", c.apic.hz / 1'000'000, " MHz (", clock::name(c.apic.source), ")");
    }
}

namespace {

/// An interrupt the local APIC did not deliver: one of the 8259's lines (ExtINT through LINT0), or nothing
/// (`int n`, a spurious 8259 interrupt). Returns whether it is a line's interrupt, acknowledged at the 8259.
bool take_8259_interrupt(Vector v) {
    if (v < irq_line_vector_base || v >= irq_line_vector_base + pic::lines) return false;
    const unsigned line = v - irq_line_vector_base;
    if (pic::in_service(line)) {
        pic::eoi(line); // a new edge of the line waits in the 8259 until the handler returns
        return true;
    }
    // Spurious: the 8259 gives input 7's vector without setting it in service. From the slave, the master
    // still had the cascade in service.
    if (line == 15) pic::eoi_master_cascade();
    return false;
}

} // namespace

std::optional<Vector> dispatch_interrupt(Vector v) {
    CpuLocal& cpu = this_cpu();
    // The spurious vector is never in service and must not be acknowledged; `int n` is in service nowhere.
    // None of them is an event for the kernel.
    if (v == vector::spurious) {
        ++cpu.stray_interrupts;
        return std::nullopt;
    }
    if (lapic::in_service(v)) {
        // A level-triggered line is masked before the EOI, which would otherwise let the I/O APIC send its
        // still-asserted level again at once.
        if (v >= irq_line_vector_base && v < irq_line_vector_base + irq_line_count)
            irq_lines::delivered(v - irq_line_vector_base);
        lapic::eoi(); // interrupts stay masked until the handler returns, so a new one of `v` waits in the
                      // IRR
    } else if (!take_8259_interrupt(v)) {
        ++cpu.stray_interrupts;
        return std::nullopt;
    }
    Vector deliver = v;
    if (v == vector::local_timer) {
        std::optional<Vector> due = time::expire(cpu);
        if (!due) return std::nullopt;
        deliver = *due;
    } else if (v == vector::tlb_shootdown) {
        const ShootdownDone done = tlb_shootdown_acknowledge();
        // A TLB request is the CPU's own business; an I/O one sends ring 3 back to the kernel to select its
        // ports again, a leave one to decide again.
        if (done.kind == ShootdownKind::tlb) return std::nullopt;
        deliver = done.reenter;
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
