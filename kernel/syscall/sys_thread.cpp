// Thread syscalls: thread_create, thread_configure (pager and exception endpoints, kept as weak references,
// kernel/obj/weak_ref.hpp: they do not keep the endpoint alive and are cleared when it dies), thread_start,
// thread_stop, thread_yield and thread_set_sched.
#include "kernel/ipc/ipc.hpp"
#include "kernel/kernel.hpp"
#include "kernel/lifecycle/factory.hpp"
#include "kernel/mapdb/mapdb.hpp"
#include "kernel/obj/endpoint.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"
#include "kernel/syscall/call.hpp"

namespace kernel {

namespace spec = janus::abi;
using enum janus::abi::Error;

namespace {

/// Stages 2-4 of the calls that act on a thread: the caller's capability `sel` to it, with the control right.
Error thread_cap(Call& call, std::uint64_t sel, Thread*& out) {
    Slot* s;
    if (Error e = lookup(call, sel, ObjectType::thread, spec::rights::control, s); e != ok) return e;
    out = &as<Thread>(*s->object());
    return ok;
}

bool user_address(std::uint64_t va) {
    return va < spec::user_end;
}

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

Error sys_thread_create(Call& call) {
    const std::uint64_t dest_sel = call.arg[0], pd_sel = call.arg[1], utcb = call.arg[2], prio = call.arg[3],
                        cpu = call.arg[4];
    if (prio > 255) return invalid_argument;
    if (cpu >= call.kernel.cpu_count) return invalid_argument;
    Slot* target;
    if (Error e = lookup(call, pd_sel, ObjectType::pd, spec::rights::control, target); e != ok) return e;
    Slot* dest;
    if (Error e = destination(call.pd.space, dest_sel, dest); e != ok) return e;
    if (!user_page(utcb)) return bad_address;
    Pd& home = as<Pd>(*target->object());
    // The UTCB page must be free in the target's address space (no mapping, no other UTCB); make_thread
    // maps it, the target paying the page tables it needs.
    if (page_in_use(home, utcb)) return mapping_conflict;
    return install(make_thread(call.kernel, &call.pd, home, utcb, static_cast<std::uint32_t>(prio),
                               static_cast<std::uint32_t>(cpu)),
                   *dest);
}

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
