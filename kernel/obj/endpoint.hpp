// Endpoint and notification objects with the queues of threads waiting at them (kernel/ipc).
#pragma once

#include <cstdint>

#include "kernel/kmem/object.hpp"
#include "kernel/obj/ipc_state.hpp"
#include "kernel/obj/weak_ref.hpp"

namespace kernel {

class Endpoint : public Object {
public:
    Endpoint() : Object(ObjectType::endpoint) {}

    WeakRefList referrers; ///< threads naming it as pager or exception handler
    IpcQueue senders;      ///< threads waiting to send; only one of the two queues is non-empty
    IpcQueue receivers;    ///< threads waiting to receive
};

class Notification : public Object {
public:
    Notification() : Object(ObjectType::notification) {}

    std::uint64_t bits = 0;
    WeakRefList referrers; ///< irqs bound to it
    IpcQueue waiters;      ///< threads in notify_wait; non-empty only while bits == 0
};

static_assert(sizeof(Endpoint) <= janus::abi::charge::endpoint, "an endpoint must fit its ABI charge");
static_assert(sizeof(Notification) <= janus::abi::charge::notification, "a notification must fit its charge");

} // namespace kernel
