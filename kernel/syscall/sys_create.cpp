// The syscalls that create objects: pd_create, thread_create, endpoint_create, notification_create,
// irq_create, io_create. The caller's domain pays (kernel/obj/charges.hpp); the new object's root capability,
// with every right, goes to `dest` in the caller's space.
#include "kernel/cap/derivation.hpp"
#include "kernel/mapdb/mapdb.hpp"
#include "kernel/obj/endpoint.hpp"
#include "kernel/obj/factory.hpp"
#include "kernel/obj/io_ports.hpp"
#include "kernel/obj/irq.hpp"
#include "kernel/obj/kernel.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"
#include "kernel/syscall/call.hpp"

namespace kernel {

namespace spec = janus::abi;
using enum janus::abi::Error;

namespace {

/// Stage 8 and the effect, shared by every create call: `made` is the factory's result.
template <typename T>
Error install(Result<T*, Error> made, Slot& dest) {
    if (!made) return made.error();
    cap_install_root(dest, *made.value(), spec::rights::all);
    return ok;
}

} // namespace

Error sys_pd_create(Call& call) {
    const std::uint64_t dest_sel = call.arg[0], quota = call.arg[1], cap_order = call.arg[2];
    if (!CapSpace::valid_order(cap_order)) return invalid_argument;
    Slot* dest;
    if (Error e = destination(call.pd.space, dest_sel, dest); e != ok) return e;
    return install(make_pd(call.kernel, &call.pd, quota, static_cast<unsigned>(cap_order)), *dest);
}

Error sys_thread_create(Call& call) {
    const std::uint64_t dest_sel = call.arg[0], pd_sel = call.arg[1], utcb = call.arg[2], prio = call.arg[3],
                        cpu = call.arg[4];
    if (prio > 255) return invalid_argument;
    if (cpu >= call.kernel.cpu_count) return invalid_argument;
    Slot* target = call.pd.space.cap(pd_sel);
    if (!target) return bad_selector;
    if (!has_type(*target, ObjectType::pd)) return wrong_type;
    if (!has_rights(*target, spec::rights::control)) return missing_rights;
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

Error sys_endpoint_create(Call& call) {
    Slot* dest;
    if (Error e = destination(call.pd.space, call.arg[0], dest); e != ok) return e;
    return install(make_endpoint(call.kernel, &call.pd), *dest);
}

Error sys_notification_create(Call& call) {
    Slot* dest;
    if (Error e = destination(call.pd.space, call.arg[0], dest); e != ok) return e;
    return install(make_notification(call.kernel, &call.pd), *dest);
}

Error sys_irq_create(Call& call) {
    const std::uint64_t dest_sel = call.arg[0], control_sel = call.arg[1], line = call.arg[2];
    if (line >= Kernel::irq_lines) return invalid_argument;
    Slot* control = call.pd.space.cap(control_sel);
    if (!control) return bad_selector;
    if (!has_type(*control, ObjectType::irq_control)) return wrong_type;
    if (!has_rights(*control, spec::rights::control)) return missing_rights;
    if (call.kernel.irq_by_line[line]) return invalid_argument; // one live irq object per line
    Slot* dest;
    if (Error e = destination(call.pd.space, dest_sel, dest); e != ok) return e;
    return install(make_irq(call.kernel, &call.pd, static_cast<std::uint32_t>(line)), *dest);
}

Error sys_io_create(Call& call) {
    const std::uint64_t dest_sel = call.arg[0], control_sel = call.arg[1], first = call.arg[2],
                        count = call.arg[3];
    // Both bounds before the sum, so a huge `count` cannot wrap first + count below the limit.
    if (count == 0 || first >= spec::io_ports || count > spec::io_ports - first) return invalid_argument;
    Slot* control = call.pd.space.cap(control_sel);
    if (!control) return bad_selector;
    if (!has_type(*control, ObjectType::io_control)) return wrong_type;
    if (!has_rights(*control, spec::rights::control)) return missing_rights;
    Slot* dest;
    if (Error e = destination(call.pd.space, dest_sel, dest); e != ok) return e;
    return install(make_io_ports(call.kernel, &call.pd, static_cast<std::uint32_t>(first),
                                 static_cast<std::uint32_t>(count)),
                   *dest);
}

} // namespace kernel
