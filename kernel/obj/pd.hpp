// Protection domain: an address space, a capability space and a kernel-memory quota.
#pragma once

#include "kernel/cap/cap_space.hpp"
#include "kernel/mapdb/address_space.hpp"
#include "kernel/obj/io_access.hpp"
#include "kernel/obj/object.hpp"
#include "kernel/obj/quota.hpp"

namespace kernel {

class Kernel;
class Thread;

class Pd : public Object {
public:
    explicit Pd(Kernel& k) : Object(ObjectType::pd), kernel(&k) {}

    Kernel* const kernel;
    Quota quota;
    CapSpace space;
    AddressSpace memory;
    IoAccess io;               ///< the ports its threads may use, as last computed (io_access.hpp)
    Object* paid = nullptr;    ///< head of the list of objects this domain paid for (Object::paid_next)
    Thread* threads = nullptr; ///< threads running in this domain (Thread::pd_next)
};

static_assert(sizeof(Pd) <= janus::abi::charge::pd, "a pd must fit its ABI charge");

} // namespace kernel
