// A reference from one object to another that does not keep the target alive (a thread's pager and exception
// endpoints, an irq's notification). The target keeps a list of everything referring to it and clears those
// references when it dies, so a weak reference is either empty or names a live object.
#pragma once

#include <cstdint>

#include "kernel/kmem/object.hpp"

namespace kernel {

class WeakRef;

/// Kept by a possible target: every WeakRef currently naming it.
class WeakRefList {
public:
    WeakRef* head() const { return head_; }
    /// The target dies: every reference to it becomes empty.
    void clear_all();

private:
    friend class WeakRef;
    WeakRef* head_ = nullptr;
};

class WeakRef {
public:
    WeakRef() = default;
    WeakRef(const WeakRef&) = delete;
    WeakRef& operator=(const WeakRef&) = delete;

    Object* target() const { return target_; }
    /// What the holder remembers with the reference: the badge of the capability it was set from (endpoints),
    /// the bit to signal (an irq's notification).
    std::uint64_t tag() const { return tag_; }
    WeakRef* next() const { return next_; }
    const WeakRefList* list() const { return list_; }

    /// Names `target`, whose list is `list`, replacing whatever was named before.
    void set(Object& target, WeakRefList& list, std::uint64_t tag) {
        clear();
        target_ = &target;
        list_ = &list;
        tag_ = tag;
        prev_ = nullptr;
        next_ = list.head_;
        if (next_) next_->prev_ = this;
        list.head_ = this;
    }

    /// Names nothing.
    void clear() {
        if (!list_) return;
        if (prev_)
            prev_->next_ = next_;
        else
            list_->head_ = next_;
        if (next_) next_->prev_ = prev_;
        target_ = nullptr;
        list_ = nullptr;
        prev_ = next_ = nullptr;
        tag_ = 0;
    }

private:
    Object* target_ = nullptr;
    WeakRefList* list_ = nullptr;
    std::uint64_t tag_ = 0;
    WeakRef* prev_ = nullptr;
    WeakRef* next_ = nullptr;
};

inline void WeakRefList::clear_all() {
    while (head_) head_->clear();
}

} // namespace kernel
