// Endpoint and notification objects. Hook for IPC (issue 5): send/receive queues join Endpoint, waiters
// join Notification; both have room up to their ABI charge (128 bytes).
#pragma once

#include <cstdint>

#include "kernel/obj/object.hpp"
#include "kernel/obj/weak_ref.hpp"

namespace kernel {

class Endpoint : public Object {
public:
    Endpoint() : Object(ObjectType::endpoint) {}

    WeakRefList referrers; ///< threads naming it as pager or exception handler
};

class Notification : public Object {
public:
    Notification() : Object(ObjectType::notification) {}

    std::uint64_t bits = 0;
    WeakRefList referrers; ///< irqs bound to it
};

static_assert(sizeof(Endpoint) <= janus::abi::charge::endpoint, "an endpoint must fit its ABI charge");
static_assert(sizeof(Notification) <= janus::abi::charge::notification, "a notification must fit its charge");

} // namespace kernel
