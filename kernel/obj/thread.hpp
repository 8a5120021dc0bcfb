// Thread: a flow of execution in a protection domain, with its UTCB page, priority, CPU, pager and exception
// endpoints; and its reply object, allocated and destroyed with it.
//
// Scheduling and IPC (issue 5): a thread is a scheduler entity (kernel/sched/entity.hpp; `priority` and `cpu`
// below mirror the entity's and change only together with it), its saved user registers (`frame`) and its IPC
// state (kernel/obj/ipc_state.hpp). It has room up to the ABI's thread charge (1024 bytes).
#pragma once

#include <cstdint>

#include "arch/user.hpp"
#include "kernel/kmem/object.hpp"
#include "kernel/obj/ipc_state.hpp"
#include "kernel/obj/weak_ref.hpp"
#include "kernel/sched/entity.hpp"

namespace kernel {

class Reply;

class Thread : public Object, public sched::Entity {
public:
    Thread() : Object(ObjectType::thread) {}

    Pd* pd = nullptr; ///< the domain it runs in (not necessarily its payer)
    Thread* pd_prev = nullptr;
    Thread* pd_next = nullptr;
    std::uint64_t utcb = 0;                  ///< page address of the UTCB in pd's address space
    void* utcb_page = nullptr;               ///< the UTCB page, a Kmem page paid with the thread
    arch::ExtendedState* extended = nullptr; ///< its FPU/vector registers off-CPU, a Kmem page paid with it
    std::uint32_t priority = 0;              ///< 0..255
    std::uint32_t cpu = 0;                   ///< < Kernel::cpu_count
    Reply* reply = nullptr;                  ///< never nullptr while the thread lives
    WeakRef pager;             ///< an Endpoint; tag = the badge of the capability it was set from
    WeakRef exception_handler; ///< an Endpoint; same
    arch::UserFrame frame{};   ///< user registers while it is not on a CPU (the run loop keeps them then)
    IpcState ipc;
};

/// One-shot right to reply to a caller. It belongs to its thread: capabilities to it (made by IPC) come and
/// go, the object lives exactly as long as the thread.
class Reply : public Object {
public:
    Reply() : Object(ObjectType::reply) {}

    Thread* owner = nullptr;
};

static_assert(sizeof(Thread) <= janus::abi::charge::thread, "a thread must fit its ABI charge");
static_assert(sizeof(Reply) <= janus::abi::charge::reply, "a reply must fit its ABI charge");

} // namespace kernel
