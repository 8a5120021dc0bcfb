// Interrupt objects: one Irq per interrupt line (lines 0 .. janus::abi::irq_lines - 1), made from the single
// IrqControl object the root domain receives at boot.
#pragma once

#include <cstdint>

#include "kernel/kmem/object.hpp"
#include "kernel/obj/weak_ref.hpp"

namespace kernel {

class Irq : public Object {
public:
    explicit Irq(std::uint32_t l) : Object(ObjectType::irq), line(l) {}

    const std::uint32_t line;
    WeakRef notification;    ///< a Notification; tag = the bit to signal
    bool in_service = false; ///< delivered and not yet acknowledged (irq_ack): the line is held back
    bool pending = false;    ///< it fired again while in service: delivered again on acknowledgement
};

class IrqControl : public Object {
public:
    IrqControl() : Object(ObjectType::irq_control) {}
};

static_assert(sizeof(Irq) <= janus::abi::charge::irq, "an irq must fit its ABI charge");

} // namespace kernel
