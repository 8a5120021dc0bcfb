// Protection domain: an address space, a capability space and a kernel-memory quota.
#pragma once

#include "kernel/cap/cap_space.hpp"
#include "kernel/kmem/object.hpp"
#include "kernel/kmem/quota.hpp"
#include "kernel/mapdb/domain.hpp"
#include "kernel/obj/io_access.hpp"

namespace kernel {

class Kernel;
class Thread;

/// The memory side sees a domain as its mapdb::Domain base: `quota` and `memory` (its address space).
class Pd : public Object, public mapdb::Domain {
public:
    explicit Pd(Kernel& k) : Object(ObjectType::pd), kernel(&k) {}

    Kernel* const kernel;
    CapSpace space;
    IoAccess io;               ///< the ports its threads may use, as last computed (io_access.hpp)
    Object* paid = nullptr;    ///< head of the list of objects this domain paid for (Object::paid_next)
    Thread* threads = nullptr; ///< threads running in this domain (Thread::pd_next)
};

static_assert(sizeof(Pd) <= janus::abi::charge::pd, "a pd must fit its ABI charge");

/// The Pd a mapping node's domain is (every Domain is one); nullptr for nullptr (an mmio anchor's).
inline Pd* pd_of(mapdb::Domain* d) {
    return static_cast<Pd*>(d);
}

} // namespace kernel
