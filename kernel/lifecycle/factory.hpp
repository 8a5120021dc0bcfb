// Making kernel objects. Each factory checks the payer's quota first, then takes all the memory it needs, and
// only then changes anything: on failure (quota_exhausted, also when the page source runs dry) nothing was
// allocated or charged. The new object has no capability yet; the caller installs its root capability.
// payer == nullptr makes a boot object that no quota pays for.
#pragma once

#include <cstdint>

#include "kernel/kmem/object.hpp"
#include "kernel/lib/result.hpp"

namespace kernel {

class Kernel;
class Thread;
class Endpoint;
class Notification;
class Irq;
class IrqControl;
class IoPorts;
class IoControl;
class Mmio;
class MmioControl;

/// A domain with `quota` bytes moved out of the payer's limit and 2^cap_order slots (order already valid).
Result<Pd*, Error> make_pd(Kernel& kernel, Pd* payer, std::uint64_t quota, unsigned cap_order);

/// A thread running in `home`, with its UTCB page and reply object (arguments already valid).
Result<Thread*, Error> make_thread(Kernel& kernel, Pd* payer, Pd& home, std::uint64_t utcb,
                                   std::uint32_t priority, std::uint32_t cpu);

Result<Endpoint*, Error> make_endpoint(Kernel& kernel, Pd* payer);
Result<Notification*, Error> make_notification(Kernel& kernel, Pd* payer);

/// The irq object of `line`, which has none (checked by the caller); registered in Kernel::irq_by_line.
Result<Irq*, Error> make_irq(Kernel& kernel, Pd* payer, std::uint32_t line);

/// The one irq_control object, a boot object.
Result<IrqControl*, Error> make_irq_control(Kernel& kernel);

/// An io_ports object for ports first .. first + count - 1 (the caller checked the range).
Result<IoPorts*, Error> make_io_ports(Kernel& kernel, Pd* payer, std::uint32_t first, std::uint32_t count);

/// The one io_control object, a boot object.
Result<IoControl*, Error> make_io_control(Kernel& kernel);

/// An mmio object for `pages` pages from `phys` with a memory type (mapdb::flag); the caller checked the
/// range and links the anchor into Kernel::mmio_anchors.
Result<Mmio*, Error> make_mmio(Kernel& kernel, Pd* payer, std::uint64_t phys, std::uint64_t pages,
                               std::uint8_t memory_type);

/// The one mmio_control object, a boot object.
Result<MmioControl*, Error> make_mmio_control(Kernel& kernel);

/// Gives an object's memory back to Kmem (lifetime.cpp, once it is torn down).
void free_object(Kernel& kernel, Object& object);

} // namespace kernel
