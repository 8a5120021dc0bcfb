// Thread control syscalls: start, stop, yield and scheduling parameters.
#include "kernel/ipc/ipc.hpp"
#include "kernel/obj/kernel.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"
#include "kernel/syscall/call.hpp"

namespace kernel {

namespace spec = janus::abi;
using enum janus::abi::Error;

namespace {

Error thread_cap(Call& call, std::uint64_t sel, Thread*& out) {
    Slot* s = call.pd.space.cap(sel);
    if (!s) return bad_selector;
    if (!has_type(*s, ObjectType::thread)) return wrong_type;
    if (!has_rights(*s, spec::rights::control)) return missing_rights;
    out = &as<Thread>(*s->object());
    return ok;
}

bool user_address(std::uint64_t va) {
    return va < spec::user_end;
}

} // namespace

Error sys_thread_start(Call& call) {
    const std::uint64_t sel = call.arg[0], ip = call.arg[1], sp = call.arg[2];
    Thread* t;
    if (Error e = thread_cap(call, sel, t); e != ok) return e;
    if (t->ipc.life == Life::active) return invalid_argument;
    if (!user_address(ip) || !user_address(sp)) return bad_address;
    ipc::start(call.kernel, *t, ip, sp);
    return ok;
}

Error sys_thread_stop(Call& call) {
    Thread* t;
    if (Error e = thread_cap(call, call.arg[0], t); e != ok) return e;
    ipc::stop(call.kernel, *t);
    return t == &call.caller ? ipc::in_frame : ok; // a stopped caller gets its status when started again
}

Error sys_thread_yield(Call& call) {
    call.kernel.sched.yield(call.caller);
    return ok;
}

Error sys_thread_set_sched(Call& call) {
    const std::uint64_t sel = call.arg[0], priority = call.arg[1], cpu = call.arg[2];
    if (priority > 255) return invalid_argument;
    Thread* t;
    if (Error e = thread_cap(call, sel, t); e != ok) return e;
    if (cpu >= call.kernel.cpu_count) return invalid_argument;
    t->priority = static_cast<std::uint32_t>(priority);
    t->cpu = static_cast<std::uint32_t>(cpu);
    call.kernel.sched.set_priority(*t, static_cast<sched::Priority>(priority));
    call.kernel.sched.set_cpu(*t, static_cast<std::uint32_t>(cpu));
    return ok;
}

} // namespace kernel
