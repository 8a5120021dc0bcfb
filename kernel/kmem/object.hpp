// The head every kernel object starts with: its type, its capabilities and who paid for it.
//
// Capabilities: all capabilities naming an object form one derivation tree (kernel/cap/derivation.hpp) whose
// root is the capability made when the object was created; `caps` points at that root. Deleting the root
// deletes the whole tree, so an object's last capability goes exactly when its root capability is deleted.
//
// Payment: `payer` is the protection domain whose quota `charge` was taken from (nullptr for boot objects,
// which are outside every quota). The object sits on its payer's list of paid objects (the kernel's boot list
// when there is no payer). When the payer dies, so does the object (kernel/lifecycle/lifetime.hpp).
#pragma once

#include <cstdint>

#include "kernel/abi/abi.hpp"

namespace kernel {

using Error = janus::abi::Error;
using ObjectType = janus::abi::ObjectType;

class Pd;
class Slot;

class alignas(64) Object {
public:
    explicit Object(ObjectType t) : type(t) {}
    Object(const Object&) = delete;
    Object& operator=(const Object&) = delete;

    const ObjectType type;

    Slot* caps = nullptr;        ///< root of the derivation tree; nullptr once no capability names the object
    std::uint32_t cap_count = 0; ///< capabilities naming the object (the size of that tree)

    /// Set while an operation that has decided this object dies is in progress (see lifetime.hpp).
    bool doomed = false;
    Object* next_doomed = nullptr;

    Pd* payer = nullptr;
    std::uint64_t charge = 0; ///< bytes refunded to the payer when the object dies
    Object* paid_prev = nullptr;
    Object* paid_next = nullptr;
};

static_assert(sizeof(Object) == 64);

/// The object a pointer to its head names, by type; the caller has checked `type`.
template <typename T>
T& as(Object& o) {
    return static_cast<T&>(o);
}
template <typename T>
const T& as(const Object& o) {
    return static_cast<const T&>(o);
}

} // namespace kernel
