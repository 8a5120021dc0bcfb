// Interrupt syscalls: irq_create (one live irq object per line, made from irq_control), irq_bind (to a
// notification bit, kept as a weak reference) and irq_ack.
#include "kernel/ipc/ipc.hpp"
#include "kernel/kernel.hpp"
#include "kernel/lifecycle/factory.hpp"
#include "kernel/obj/endpoint.hpp"
#include "kernel/obj/irq.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/syscall/call.hpp"

namespace kernel {

namespace spec = janus::abi;
using enum janus::abi::Error;

Error sys_irq_create(Call& call) {
    const std::uint64_t dest_sel = call.arg[0], control_sel = call.arg[1], line = call.arg[2];
    if (line >= Kernel::irq_lines) return invalid_argument;
    Slot* control;
    if (Error e = lookup(call, control_sel, ObjectType::irq_control, spec::rights::control, control); e != ok)
        return e;
    if (call.kernel.irq_by_line[line]) return invalid_argument; // one live irq object per line
    Slot* dest;
    if (Error e = destination(call.pd.space, dest_sel, dest); e != ok) return e;
    return install(make_irq(call.kernel, &call.pd, static_cast<std::uint32_t>(line)), *dest);
}

Error sys_irq_bind(Call& call) {
    const std::uint64_t irq_sel = call.arg[0], notification_sel = call.arg[1], bit = call.arg[2];
    if (bit > 63) return invalid_argument;
    Slot* irq = call.pd.space.cap(irq_sel);
    if (!irq) return bad_selector;
    Slot* notification = call.pd.space.cap(notification_sel);
    if (!notification) return bad_selector;
    if (!has_type(*irq, ObjectType::irq)) return wrong_type;
    if (!has_type(*notification, ObjectType::notification)) return wrong_type;
    if (!has_rights(*irq, spec::rights::control)) return missing_rights;
    if (!has_rights(*notification, spec::rights::write)) return missing_rights;

    auto& n = as<Notification>(*notification->object());
    auto& i = as<Irq>(*irq->object());
    i.notification.set(n, n.referrers, bit);
    ipc::sync_irq_line(call.kernel, i.line); // bound: its line may interrupt now
    return ok;
}

Error sys_irq_ack(Call& call) {
    Slot* irq;
    if (Error e = lookup(call, call.arg[0], ObjectType::irq, spec::rights::control, irq); e != ok) return e;
    ipc::acknowledge(call.kernel, as<Irq>(*irq->object()));
    return ok;
}

} // namespace kernel
