// Syscalls that connect existing objects: thread_configure (pager and exception endpoints) and irq_bind.
// Both store weak references (kernel/obj/weak_ref.hpp): they do not keep the endpoint or notification alive
// and are cleared when it dies.
#include "kernel/ipc/ipc.hpp"
#include "kernel/obj/endpoint.hpp"
#include "kernel/obj/irq.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"
#include "kernel/syscall/call.hpp"

namespace kernel {

namespace spec = janus::abi;
using enum janus::abi::Error;

namespace {

/// Sets `ref` from the endpoint capability `cap`, or clears it for selector 0.
void point_at(WeakRef& ref, const Slot* cap) {
    if (!cap) {
        ref.clear();
        return;
    }
    auto& ep = as<Endpoint>(*cap->object());
    ref.set(ep, ep.referrers, cap->badge());
}

} // namespace

Error sys_thread_configure(Call& call) {
    const std::uint64_t thread_sel = call.arg[0], pager_sel = call.arg[1], exception_sel = call.arg[2];
    Slot* thread = call.pd.space.cap(thread_sel);
    if (!thread) return bad_selector;
    Slot* pager = pager_sel ? call.pd.space.cap(pager_sel) : nullptr;
    if (pager_sel && !pager) return bad_selector;
    Slot* exception = exception_sel ? call.pd.space.cap(exception_sel) : nullptr;
    if (exception_sel && !exception) return bad_selector;

    if (!has_type(*thread, ObjectType::thread)) return wrong_type;
    if (pager && !has_type(*pager, ObjectType::endpoint)) return wrong_type;
    if (exception && !has_type(*exception, ObjectType::endpoint)) return wrong_type;
    if (!has_rights(*thread, spec::rights::control)) return missing_rights;

    auto& t = as<Thread>(*thread->object());
    point_at(t.pager, pager);
    point_at(t.exception_handler, exception);
    return ok;
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

} // namespace kernel
