// arch/irq_lines.hpp on x86-64: lines through the I/O APIC when the MADT lists one (ioapic.hpp, routes from
// irq_routing.hpp), else through the 8259s (pic.hpp), which reach the boot CPU through its LINT0 in ExtINT
// mode while any line is unmasked. The PIT's channel 0 drives line 0 either way (pit.hpp, started by
// init_interrupts). Interrupts of these lines are acknowledged in interrupt.cpp (dispatch_interrupt).
#include "arch/x86_64/irq_lines.hpp"

#include "arch/irq_lines.hpp"
#include "arch/x86_64/ioapic.hpp"
#include "arch/x86_64/irq_routing.hpp"
#include "arch/x86_64/lapic.hpp"
#include "arch/x86_64/pic.hpp"
#include "kernel/lib/print.hpp"
#include "kernel/lib/spinlock.hpp"

namespace arch {

namespace x86::irq_lines {

namespace {

bool use_ioapic = false;
LineRoutes routes;

/// Per line: the kernel has it unmasked; a level-triggered delivery holds it masked until irq_line_end.
/// Guarded by `lock`: deliveries come from CPU 0's interrupt handler while another CPU may unmask.
bool wanted[irq_line_count];
bool held[irq_line_count];
kernel::Spinlock lock;

bool pic_device_line(unsigned line) {
    return line < pic::lines && line != pic::cascade_line;
}

bool routed(unsigned line) {
    return line < irq_line_count && routes.line[line].present;
}

void set_ioapic_mask(unsigned line, bool masked) {
    ioapic::set_masked(routes.line[line].ioapic, routes.line[line].pin, masked);
}

} // namespace

void init(const kernel::boot::acpi::AcpiInfo& acpi, std::uint32_t boot_apic_id) {
    using kernel::println;
    if (!acpi.madt || acpi.ioapic_count == 0) {
        println("interrupts: device lines through the 8259s (no I/O APIC in the MADT)");
        return;
    }
    unsigned inputs[kernel::boot::acpi::AcpiInfo::max_ioapics] = {};
    for (std::size_t i = 0; i < acpi.ioapic_count && i < ioapic::max_ioapics; ++i) {
        inputs[i] = ioapic::init(static_cast<unsigned>(i), acpi.ioapics[i].address);
        if (inputs[i] == 0) {
            println("interrupts: cannot map the I/O APIC at ", kernel::hex(acpi.ioapics[i].address),
                    "; device lines through the 8259s");
            return;
        }
    }
    routes = route_lines(acpi, inputs);
    unsigned count = 0;
    for (unsigned line = 0; line < irq_line_count; ++line) {
        const LineRoute& r = routes.line[line];
        if (!r.present) continue;
        ioapic::route(r.ioapic, r.pin, static_cast<Vector>(irq_line_vector_base + line), boot_apic_id,
                      r.level, r.active_low);
        ++count;
    }
    use_ioapic = true; // the 8259s were masked by pic::init and nothing unmasks them from here on
    println("interrupts: ", count, " device lines through ", acpi.ioapic_count, " I/O APIC",
            acpi.ioapic_count == 1 ? "" : "s", " (line 0 on GSI ", routes.line[0].gsi, "), the 8259s masked");
}

bool through_ioapic() {
    return use_ioapic;
}

void delivered(unsigned line) {
    if (!use_ioapic || !routed(line) || !routes.line[line].level) return;
    kernel::SpinGuard guard(lock);
    held[line] = true;
    set_ioapic_mask(line, true);
}

} // namespace x86::irq_lines

using namespace x86::irq_lines;

void irq_line_unmask(unsigned line) {
    if (use_ioapic) {
        if (!routed(line)) return;
        kernel::SpinGuard guard(lock);
        wanted[line] = true;
        held[line] = false;
        set_ioapic_mask(line, false);
        return;
    }
    if (!pic_device_line(line)) return;
    // The wire first, then the 8259: an interrupt it raises at once must find LINT0 open.
    x86::lapic::set_lint0_extint(true);
    x86::pic::set_masked(line, false);
}

void irq_line_mask(unsigned line) {
    if (use_ioapic) {
        if (!routed(line)) return;
        kernel::SpinGuard guard(lock);
        wanted[line] = false;
        held[line] = false;
        set_ioapic_mask(line, true);
        return;
    }
    if (!pic_device_line(line)) return;
    x86::lapic::set_lint0_extint(x86::pic::set_masked(line, true)); // the wire closes with the last line
}

void irq_line_end(unsigned line) {
    if (!use_ioapic || !routed(line)) return;
    kernel::SpinGuard guard(lock);
    if (!held[line]) return;
    held[line] = false;
    if (wanted[line]) set_ioapic_mask(line, false);
}

} // namespace arch
