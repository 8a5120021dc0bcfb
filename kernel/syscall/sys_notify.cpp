// Notification syscalls: notification_create, notify_signal (OR bits in, wake one waiter) and notify_wait.
#include "kernel/ipc/ipc.hpp"
#include "kernel/lifecycle/factory.hpp"
#include "kernel/obj/endpoint.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/syscall/call.hpp"

namespace kernel {

namespace spec = janus::abi;
using enum janus::abi::Error;

Error sys_notification_create(Call& call) {
    Slot* dest;
    if (Error e = destination(call.pd.space, call.arg[0], dest); e != ok) return e;
    return install(make_notification(call.kernel, &call.pd), *dest);
}

Error sys_notify_signal(Call& call) {
    const std::uint64_t sel = call.arg[0], bits = call.arg[1];
    Slot* n;
    if (Error e = lookup(call, sel, ObjectType::notification, spec::rights::write, n); e != ok) return e;
    ipc::signal(call.kernel, as<Notification>(*n->object()), bits);
    return ok;
}

Error sys_notify_wait(Call& call) {
    const std::uint64_t sel = call.arg[0], timeout = call.arg[1];
    Slot* n;
    if (Error e = lookup(call, sel, ObjectType::notification, spec::rights::read, n); e != ok) return e;
    return ipc::wait(call.kernel, call.caller, as<Notification>(*n->object()), timeout);
}

} // namespace kernel
