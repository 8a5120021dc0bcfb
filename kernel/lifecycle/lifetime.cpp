#include "kernel/lifecycle/lifetime.hpp"

#include "kernel/cap/derivation.hpp"
#include "kernel/ipc/ipc.hpp"
#include "kernel/kernel.hpp"
#include "kernel/lifecycle/factory.hpp"
#include "kernel/lifecycle/payment.hpp"
#include "kernel/mapdb/mapdb.hpp"
#include "kernel/obj/endpoint.hpp"
#include "kernel/obj/irq.hpp"
#include "kernel/obj/mmio.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"

namespace kernel {

bool dies_with_last_cap(const Object& object) {
    return object.type != ObjectType::reply;
}

void Doom::enqueue(Object& object) {
    if (object.doomed) return;
    object.doomed = true;
    object.next_doomed = nullptr;
    if (tail_)
        tail_->next_doomed = &object;
    else
        head_ = &object;
    tail_ = &object;
}

void Doom::add(Object& object) {
    Object* first_new = object.doomed ? nullptr : &object;
    enqueue(object);
    // The list is the worklist: everything after the first new entry still needs expanding, and expanding
    // appends at the tail.
    for (Object* o = first_new; o; o = o->next_doomed) expand(*o);
}

void Doom::expand(Object& object) {
    switch (object.type) {
    case ObjectType::pd: {
        auto& pd = as<Pd>(object);
        for (std::uint64_t sel = 1; sel < pd.space.size(); ++sel) {
            Slot* s = pd.space.cap(sel);
            if (s && s->is_root() && dies_with_last_cap(*s->object())) enqueue(*s->object());
        }
        for (Thread* t = pd.threads; t; t = t->pd_next) enqueue(*t);
        for (Object* o = pd.paid; o; o = o->paid_next) enqueue(*o);
        return;
    }
    case ObjectType::thread:
        enqueue(*as<Thread>(object).reply);
        return;
    default:
        return;
    }
}

void Doom::cancel() {
    for (Object* o = head_; o;) {
        Object* next = o->next_doomed;
        o->doomed = false;
        o->next_doomed = nullptr;
        o = next;
    }
    head_ = tail_ = nullptr;
}

namespace {

/// Type-specific teardown of a dying object whose capabilities are gone; other dying objects' memory is
/// still intact, so references between them may be followed.
void tear_down(Kernel& kernel, Object& object) {
    switch (object.type) {
    case ObjectType::pd: {
        auto& pd = as<Pd>(object);
        mapdb::address_space_teardown(kernel.mapdb, pd);
        if (kernel.root == &pd) kernel.root = nullptr;
        return;
    }
    case ObjectType::thread: {
        auto& t = as<Thread>(object);
        if (t.pd_prev)
            t.pd_prev->pd_next = t.pd_next;
        else
            t.pd->threads = t.pd_next;
        if (t.pd_next) t.pd_next->pd_prev = t.pd_prev;
        t.pd_prev = t.pd_next = nullptr;
        ipc::thread_dying(kernel, t);
        // A dying domain's teardown takes the UTCB with everything else.
        if (!t.pd->doomed) mapdb::address_space_utcb_dying(kernel.mapdb, *t.pd, t.utcb);
        t.pager.clear();
        t.exception_handler.clear();
        return;
    }
    case ObjectType::endpoint:
        ipc::endpoint_dying(kernel, as<Endpoint>(object));
        as<Endpoint>(object).referrers.clear_all();
        return;
    case ObjectType::notification:
        ipc::notification_dying(kernel, as<Notification>(object));
        as<Notification>(object).referrers.clear_all();
        ipc::sync_irq_lines(kernel); // the irqs bound to it are unbound now: their lines are masked
        return;
    case ObjectType::irq: {
        auto& irq = as<Irq>(object);
        irq.notification.clear();
        if (kernel.irq_by_line[irq.line] == &irq) kernel.irq_by_line[irq.line] = nullptr;
        ipc::sync_irq_line(kernel, irq.line);
        return;
    }
    case ObjectType::irq_control:
        if (kernel.irq_control == &object) kernel.irq_control = nullptr;
        return;
    case ObjectType::io_control:
        if (kernel.io_control == &object) kernel.io_control = nullptr;
        return;
    case ObjectType::mmio_control:
        if (kernel.mmio_control == &object) kernel.mmio_control = nullptr;
        return;
    case ObjectType::mmio: // every mapping made from it goes, with its shootdowns, before the syscall returns
        unlink_live(kernel.mmio_anchors, as<Mmio>(object));
        unmap_device(kernel.mapdb, as<Mmio>(object).anchor);
        return;
    case ObjectType::io_ports: // its capabilities went first, each telling IoState (io_ports_caps_changed)
    case ObjectType::reply:
    case ObjectType::none:
        return;
    }
}

} // namespace

void Doom::commit() {
    // 1. Capabilities: every capability naming a dying object, and every capability held by a dying domain
    //    with everything derived from it.
    for (Object* o = head_; o; o = o->next_doomed) {
        while (o->caps) cap_delete_subtree(*o->caps);
        if (o->type == ObjectType::pd) {
            auto& pd = as<Pd>(*o);
            for (std::uint64_t sel = 1; sel < pd.space.size(); ++sel)
                if (Slot* s = pd.space.cap(sel)) cap_delete_subtree(*s);
        }
    }
    // 2. Teardown and refunds, while every dying object's memory is still there.
    for (Object* o = head_; o; o = o->next_doomed) {
        tear_down(kernel_, *o);
        refund(kernel_, *o);
    }
    // 3. Memory.
    for (Object* o = head_; o;) {
        Object* next = o->next_doomed;
        free_object(kernel_, *o);
        o = next;
    }
    head_ = tail_ = nullptr;
}

} // namespace kernel
