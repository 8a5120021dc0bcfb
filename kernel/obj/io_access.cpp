#include "kernel/obj/io_access.hpp"

#include "arch/io_ports.hpp"
#include "kernel/obj/io_ports.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/sched/vectors.hpp"

namespace kernel {

namespace {

/// An io_ports capability that lets its domain use the ports.
const IoPorts* usable_ports(const Slot& s) {
    const Object* o = s.empty() ? nullptr : s.object();
    if (!o || o->type != ObjectType::io_ports) return nullptr;
    if ((s.rights() & janus::abi::io_use_rights) != janus::abi::io_use_rights) return nullptr;
    return &as<IoPorts>(*o);
}

/// Calls f(ports) for every usable io_ports capability in `pd`'s space; stops early when f returns false.
template <typename F>
void for_each_usable(const Pd& pd, F f) {
    const CapSpace& space = pd.space;
    for (std::uint64_t sel = 1; sel < space.size(); ++sel) {
        const Slot* s = space.slot(sel);
        if (const IoPorts* p = usable_ports(*s))
            if (!f(*p)) return;
    }
}

} // namespace

void io_enter(IoState& io, Pd& pd) {
    IoAccess& access = pd.io;
    if (access.epoch_seen != io.epoch) {
        bool any = false;
        for_each_usable(pd, [&](const IoPorts&) { return !(any = true); });
        access.epoch_seen = io.epoch;
        access.key = any ? ++io.last_key : 0;
    }
    if (arch::io_select(access.key)) return;
    arch::io_load(access.key);
    for_each_usable(pd, [](const IoPorts& p) {
        arch::io_allow(p.first, p.count);
        return true;
    });
}

void io_shoot_down(IoState& io) {
    io.revoked = false;
    arch::io_shootdown(arch::CpuMask::all(), sched::vector_resched);
}

} // namespace kernel
