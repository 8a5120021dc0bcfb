// Interrupt-line masking follows the irq objects: a line is unmasked in the arch layer (arch/irq_lines.hpp)
// exactly while its irq object exists and is bound to a notification, so a device nobody listens to never
// interrupts. Kernel::irq_lines_unmasked mirrors what the arch layer was told, so only changes reach it (on
// x86-64 each one is port I/O to the 8259).
//
// An unbound irq object only loses its binding when its notification dies (irq_bind always names one), and a
// notification does not know which irqs name it, so its death re-checks every line (24 of them).
#include "arch/irq_lines.hpp"
#include "kernel/ipc/ipc.hpp"
#include "kernel/kernel.hpp"
#include "kernel/obj/irq.hpp"

namespace kernel::ipc {

static_assert(Kernel::irq_lines <= arch::irq_line_count,
              "every ABI line must be a line of the arch contract");

void sync_irq_line(Kernel& kernel, unsigned line) {
    if (line >= Kernel::irq_lines) return;
    const Irq* irq = kernel.irq_by_line[line];
    const bool want = irq && irq->notification.target();
    const std::uint32_t bit = std::uint32_t{1} << line;
    if (want == ((kernel.irq_lines_unmasked & bit) != 0)) return;
    if (want) {
        kernel.irq_lines_unmasked |= bit;
        arch::irq_line_unmask(line);
    } else {
        kernel.irq_lines_unmasked &= ~bit;
        arch::irq_line_mask(line);
    }
}

void sync_irq_lines(Kernel& kernel) {
    for (unsigned line = 0; line < Kernel::irq_lines; ++line) sync_irq_line(kernel, line);
}

} // namespace kernel::ipc
