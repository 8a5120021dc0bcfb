// Kernel: all mutable kernel state in one place. A hostsim test, a property test or a fuzzer makes a fresh
// one cheaply, as often as it likes; bare metal has exactly one, in static storage, initialised explicitly at
// boot (its constructor is constexpr, nothing runs at load time).
//
// Every syscall holds `lock` (one big kernel lock, as seL4 does) for its whole duration.
//
// It sits at kernel/ level, between the object types it points to (kernel/obj) and the layers that take a
// `Kernel&` (ipc, lifecycle, syscall, entry, boot_root); the layers below obj take only their own part of it
// (kmem, mapdb::State, the scheduler).
#pragma once

#include <cstdint>

#include "kernel/abi/abi.hpp"
#include "kernel/kmem/kmem.hpp"
#include "kernel/lib/spinlock.hpp"
#include "kernel/mapdb/state.hpp"
#include "kernel/obj/device_memory.hpp"
#include "kernel/obj/io_ports.hpp"
#include "kernel/obj/test_hooks.hpp"
#include "kernel/sched/scheduler.hpp"

namespace kernel {

class Object;
class Pd;
class Thread;
class Irq;
class IrqControl;
class IoControl;
class MmioControl;

class Kernel {
public:
    static constexpr unsigned irq_lines = janus::abi::irq_lines;
    static_assert(irq_lines <= 32, "irq_lines_unmasked has one bit per line");

    constexpr Kernel() = default;
    Kernel(const Kernel&) = delete;
    Kernel& operator=(const Kernel&) = delete;

    /// Empty kernel: objects come from `pages`; CPUs 0 .. cpu_count-1 exist (thread_create checks against
    /// it).
    void init(PageSource& pages, unsigned cpus) {
        kmem.init(pages);
        mapdb.kmem = &kmem;
        cpu_count = cpus;
        sched.init(cpus);
    }

    Spinlock lock;
    Kmem kmem;
    mapdb::State mapdb; ///< mapping nodes and pending TLB work of the memory side (kernel/mapdb)
    unsigned cpu_count = 1;
    sched::Scheduler sched; ///< run queues and timeouts of every CPU (kernel/sched)

    Pd* root = nullptr;                  ///< the root protection domain, while it lives
    IrqControl* irq_control = nullptr;   ///< the one irq_control object, while it lives
    IoControl* io_control = nullptr;     ///< the one io_control object, while it lives
    IoState io;                          ///< port capabilities' change tracking (kernel/obj/io_ports.hpp)
    MmioControl* mmio_control = nullptr; ///< the one mmio_control object, while it lives
    mapdb::Node* mmio_anchors = nullptr; ///< the live mmio objects' anchors (kernel/obj/mmio.hpp)
    DeviceMemory device_memory;          ///< what mmio_create may hand out (kernel/obj/device_memory.hpp)
    Irq* irq_by_line[irq_lines] = {};    ///< the live irq object of each line
    Object* boot_objects = nullptr;      ///< objects no quota paid for (Object::paid_next list)
    std::uint64_t boot_quota = 0; ///< the root's quota at boot: the limits of all live PDs add up to it
    /// Lines the kernel has unmasked in the arch layer (bit L: line L): exactly those whose irq object is
    /// bound to a notification (kernel/ipc/irq_lines.cpp keeps it so; the invariant checker verifies it).
    std::uint32_t irq_lines_unmasked = 0;

#if JANUS_HOSTED
    TestHooks test; ///< host builds only (test_hooks.hpp); kernel code uses the functions below
#endif
};

/// Whether untyped calls and reply_recvs may take kernel/ipc/fastpath.cpp: always on bare metal.
inline bool ipc_fastpath_on(const Kernel& kernel) {
#if JANUS_HOSTED
    return kernel.test.ipc_fastpath;
#else
    (void)kernel;
    return true;
#endif
}

/// The fast path served a syscall (`call`: an ipc_call; else an ipc_reply_recv). Counted in host builds.
inline void ipc_fastpath_served(Kernel& kernel, bool call) {
#if JANUS_HOSTED
    ++kernel.test.ipc_fastpath_taken;
    kernel.test.ipc_fastpath_calls += call ? 1 : 0;
#else
    (void)kernel, (void)call;
#endif
}

/// The syscall observer tests and the fuzzer attached, if any; never one on bare metal.
inline SyscallObserver* syscall_observer(const Kernel& kernel) {
#if JANUS_HOSTED
    return kernel.test.observer;
#else
    (void)kernel;
    return nullptr;
#endif
}

} // namespace kernel
