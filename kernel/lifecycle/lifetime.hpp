// When objects die, decided before anything changes.
//
// An object dies when its root capability is deleted (its last capability goes), when the protection domain
// that paid for it dies, and a thread also when the domain it runs in dies; a reply object dies with its
// thread and only then. A dying domain loses every capability in its space (with everything derived from
// them, in any domain).
//
// Doom collects the closure of those rules from a first victim without changing anything but marks, so an
// operation can look at the outcome (would the caller die?) and still refuse. The collection is a worklist
// threaded through the objects themselves (Object::next_doomed): no recursion, no allocation. commit() then
// deletes the capabilities, tears the objects down, refunds their payers and frees their memory.
#pragma once

#include "kernel/kmem/object.hpp"

namespace kernel {

class Kernel;

/// False for objects that outlive their capabilities (reply objects live as long as their thread).
bool dies_with_last_cap(const Object& object);

class Doom {
public:
    explicit Doom(Kernel& kernel) : kernel_(kernel) {}
    Doom(const Doom&) = delete;
    Doom& operator=(const Doom&) = delete;

    /// `object` dies, and with it everything that cannot outlive it.
    void add(Object& object);
    bool contains(const Object& object) const { return object.doomed; }
    bool empty() const { return head_ == nullptr; }

    /// Forget the decision: every mark is cleared, nothing changed.
    void cancel();
    /// Carry it out.
    void commit();

private:
    void enqueue(Object& object);
    void expand(Object& object);

    Kernel& kernel_;
    Object* head_ = nullptr;
    Object* tail_ = nullptr;
};

} // namespace kernel
