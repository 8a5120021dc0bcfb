#include "kernel/lifecycle/factory.hpp"

#include <new>
#include <utility>

#include "kernel/kernel.hpp"
#include "kernel/lifecycle/charges.hpp"
#include "kernel/lifecycle/payment.hpp"
#include "kernel/mapdb/mapdb.hpp"
#include "kernel/obj/endpoint.hpp"
#include "kernel/obj/io_ports.hpp"
#include "kernel/obj/irq.hpp"
#include "kernel/obj/mmio.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"
#include "kernel/panic.hpp"

namespace kernel {

namespace {

template <typename T, typename... Args>
T* construct(Kmem& kmem, Args&&... args) {
    void* raw = kmem.allocate(sizeof(T));
    return raw ? new (raw) T(std::forward<Args>(args)...) : nullptr;
}

template <typename T>
void destruct(Kmem& kmem, T* object) {
    if (!object) return;
    object->~T();
    kmem.release(object, sizeof(T));
}

bool affords(const Pd* payer, std::uint64_t bytes) {
    return !payer || payer->quota.covers(bytes);
}

template <typename T, typename... Args>
Result<T*, Error> make_simple(Kernel& kernel, Pd* payer, std::uint64_t charge, Args&&... args) {
    if (!affords(payer, charge)) return fail(Error::quota_exhausted);
    T* object = construct<T>(kernel.kmem, std::forward<Args>(args)...);
    if (!object) return fail(Error::quota_exhausted);
    pay(kernel, *object, payer, charge);
    return object;
}

} // namespace

Result<Pd*, Error> make_pd(Kernel& kernel, Pd* payer, std::uint64_t quota, unsigned cap_order) {
    std::uint64_t charge = charges::pd(cap_order);
    if (payer && !(payer->quota.covers(quota) && charge <= payer->quota.available() - quota))
        return fail(Error::quota_exhausted);

    Kmem& kmem = kernel.kmem;
    Pd* pd = construct<Pd>(kmem, kernel);
    void* top = kmem.allocate(Kmem::page_bytes);
    if (!pd || !top || !pd->space.create(kmem, cap_order)) {
        if (top) kmem.release(top, Kmem::page_bytes);
        destruct(kmem, pd);
        return fail(Error::quota_exhausted);
    }
    mapdb::address_space_init(kernel.mapdb, pd->memory, top);
    pd->quota.limit = quota;
    if (payer)
        payer->quota.limit -= quota;
    else
        kernel.boot_quota += quota;
    pay(kernel, *pd, payer, charge);
    return pd;
}

Result<Thread*, Error> make_thread(Kernel& kernel, Pd* payer, Pd& home, std::uint64_t utcb,
                                   std::uint32_t priority, std::uint32_t cpu) {
    // The page tables the UTCB mapping needs are paid by `home` (by nobody at boot).
    UtcbReservation utcb_mapping(kernel.mapdb, home, utcb);
    const std::uint64_t tables = payer ? utcb_mapping.tables() * janus::abi::charge::page_table : 0;
    if (payer == &home ? !affords(payer, charges::thread + tables)
                       : !affords(payer, charges::thread) || !home.quota.covers(tables))
        return fail(Error::quota_exhausted);

    Kmem& kmem = kernel.kmem;
    Thread* thread = construct<Thread>(kmem);
    Reply* reply = construct<Reply>(kmem);
    void* utcb_page = kmem.allocate(Kmem::page_bytes);
    static_assert(sizeof(arch::ExtendedState) == Kmem::page_bytes &&
                  sizeof(arch::ExtendedState) == janus::abi::charge::extended_state);
    void* extended = kmem.allocate(Kmem::page_bytes);
    if (!thread || !reply || !utcb_page || !extended || !utcb_mapping.reserve()) {
        if (extended) kmem.release(extended, Kmem::page_bytes);
        if (utcb_page) kmem.release(utcb_page, Kmem::page_bytes);
        destruct(kmem, reply);
        destruct(kmem, thread);
        return fail(Error::quota_exhausted);
    }
    thread->pd = &home;
    thread->utcb = utcb;
    thread->utcb_page = utcb_page;
    // User space reads it (and the kernel takes its reply_sel and windows from it): no stale kernel data.
    for (std::size_t i = 0; i < Kmem::page_bytes / sizeof(std::uint64_t); ++i)
        static_cast<std::uint64_t*>(utcb_page)[i] = 0;
    thread->extended = new (extended) arch::ExtendedState;
    arch::extended_state_init(
        *thread->extended); // nothing of a former owner of the page, or of another thread
    thread->priority = priority;
    thread->cpu = cpu;
    thread->init_sched(static_cast<sched::Priority>(priority), cpu);
    thread->reply = reply;
    reply->owner = thread;

    thread->pd_next = home.threads;
    if (home.threads) home.threads->pd_prev = thread;
    home.threads = thread;

    pay(kernel, *thread, payer, charges::thread_object);
    pay(kernel, *reply, payer, charges::reply_object);
    utcb_mapping.map(thread->utcb_page, payer != nullptr);
    return thread;
}

Result<Endpoint*, Error> make_endpoint(Kernel& kernel, Pd* payer) {
    return make_simple<Endpoint>(kernel, payer, charges::endpoint);
}

Result<Notification*, Error> make_notification(Kernel& kernel, Pd* payer) {
    return make_simple<Notification>(kernel, payer, charges::notification);
}

Result<Irq*, Error> make_irq(Kernel& kernel, Pd* payer, std::uint32_t line) {
    auto irq = make_simple<Irq>(kernel, payer, charges::irq, line);
    if (irq) kernel.irq_by_line[line] = irq.value();
    return irq;
}

Result<IrqControl*, Error> make_irq_control(Kernel& kernel) {
    auto control = make_simple<IrqControl>(kernel, nullptr, 0);
    if (control) kernel.irq_control = control.value();
    return control;
}

Result<IoPorts*, Error> make_io_ports(Kernel& kernel, Pd* payer, std::uint32_t first, std::uint32_t count) {
    return make_simple<IoPorts>(kernel, payer, charges::io_ports, kernel.io, first, count);
}

Result<IoControl*, Error> make_io_control(Kernel& kernel) {
    auto control = make_simple<IoControl>(kernel, nullptr, 0);
    if (control) kernel.io_control = control.value();
    return control;
}

Result<Mmio*, Error> make_mmio(Kernel& kernel, Pd* payer, std::uint64_t phys, std::uint64_t pages,
                               std::uint8_t memory_type) {
    return make_simple<Mmio>(kernel, payer, charges::mmio, phys, pages, memory_type);
}

Result<MmioControl*, Error> make_mmio_control(Kernel& kernel) {
    auto control = make_simple<MmioControl>(kernel, nullptr, 0);
    if (control) kernel.mmio_control = control.value();
    return control;
}

void free_object(Kernel& kernel, Object& object) {
    Kmem& kmem = kernel.kmem;
    switch (object.type) {
    case ObjectType::pd: {
        auto& pd = as<Pd>(object);
        pd.space.destroy(kmem);
        kmem.release(pd.memory.top_level, Kmem::page_bytes);
        destruct(kmem, &pd);
        return;
    }
    case ObjectType::thread: {
        auto& thread = as<Thread>(object);
        kmem.release(thread.utcb_page, Kmem::page_bytes);
        kmem.release(thread.extended, Kmem::page_bytes);
        destruct(kmem, &thread);
        return;
    }
    case ObjectType::reply:
        destruct(kmem, &as<Reply>(object));
        return;
    case ObjectType::endpoint:
        destruct(kmem, &as<Endpoint>(object));
        return;
    case ObjectType::notification:
        destruct(kmem, &as<Notification>(object));
        return;
    case ObjectType::irq:
        destruct(kmem, &as<Irq>(object));
        return;
    case ObjectType::irq_control:
        destruct(kmem, &as<IrqControl>(object));
        return;
    case ObjectType::io_ports:
        destruct(kmem, &as<IoPorts>(object));
        return;
    case ObjectType::io_control:
        destruct(kmem, &as<IoControl>(object));
        return;
    case ObjectType::mmio:
        destruct(kmem, &as<Mmio>(object));
        return;
    case ObjectType::mmio_control:
        destruct(kmem, &as<MmioControl>(object));
        return;
    case ObjectType::none:
        break;
    }
    JANUS_ASSERT(false && "object of no type");
}

} // namespace kernel
