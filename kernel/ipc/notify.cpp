// Notifications (a word of bits: signal ORs, wait takes them all) and interrupt delivery through them.
#include "arch/irq_lines.hpp"
#include "kernel/ipc/internal.hpp"
#include "kernel/ipc/ipc.hpp"
#include "kernel/kernel.hpp"
#include "kernel/obj/endpoint.hpp"
#include "kernel/obj/irq.hpp"
#include "kernel/obj/thread.hpp"

namespace kernel::ipc {

using namespace detail;
using enum janus::abi::Error;

Error wait(Kernel& kernel, Thread& self, Notification& n, std::uint64_t timeout) {
    if (n.bits) {
        arch::syscall_status(self.frame) = static_cast<std::uint64_t>(ok);
        arch::syscall_result(self.frame, 0) = n.bits;
        n.bits = 0;
        return in_frame;
    }
    if (timeout == janus::abi::timeout_poll) return would_block;
    block(kernel, self, Wait::notify, &n.waiters, &n, timeout);
    return in_frame;
}

void signal(Kernel& kernel, Notification& n, std::uint64_t bits) {
    n.bits |= bits;
    if (!n.bits) return;
    // The first waiter takes every bit set.
    if (Thread* t = n.waiters.first()) {
        arch::syscall_result(t->frame, 0) = n.bits;
        n.bits = 0;
        complete(kernel, *t, ok);
    }
}

namespace {

void deliver_irq(Kernel& kernel, Irq& irq) {
    auto* n = static_cast<Notification*>(irq.notification.target());
    if (!n) return; // unbound: nobody to tell; the line stays quiet until bound and acknowledged
    irq.in_service = true;
    signal(kernel, *n, std::uint64_t{1} << irq.notification.tag());
}

} // namespace

void interrupt(Kernel& kernel, unsigned line) {
    if (line >= Kernel::irq_lines) return;
    Irq* irq = kernel.irq_by_line[line];
    if (!irq) return;
    // Until acknowledged, further interrupts of the line collapse into one pending delivery.
    if (irq->in_service) {
        irq->pending = true;
        return;
    }
    deliver_irq(kernel, *irq);
}

void acknowledge(Kernel& kernel, Irq& irq) {
    irq.in_service = false;
    arch::irq_line_end(irq.line); // a level-triggered line the controller held back may interrupt again
    if (irq.pending) {
        irq.pending = false;
        deliver_irq(kernel, irq);
    }
}

} // namespace kernel::ipc
