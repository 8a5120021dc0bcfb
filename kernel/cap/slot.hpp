// A capability slot: 32 bytes, exactly the ABI's cap_slot charge.
//
// A non-empty slot names an object with rights (and, for endpoints, a badge) and is a node of that object's
// derivation tree. The tree is kept as a doubly linked list in preorder with each node's depth
// (kernel/lib/preorder_tree.hpp, as the mapping database keeps memory): a node's descendants are the nodes
// that follow it with a greater depth, so revoking walks forward and needs neither recursion nor a stack. The
// root (depth 0) heads the list.
//
// Packing, to fit 32 bytes: the rights live in the low bits of the object pointer (objects are 64-byte
// aligned); the links are 48-bit canonical addresses (x86-64 4-level paging; Kmem checks every page it takes)
// and the 32-bit depth is split over their top 16 bits.
#pragma once

#include <cstdint>

#include "kernel/abi/abi.hpp"
#include "kernel/kmem/object.hpp"

namespace kernel {

class Slot {
public:
    static constexpr std::uint64_t rights_mask = janus::abi::rights::all;
    static constexpr std::uint32_t max_depth = 0xffff'ffff;

    constexpr Slot() = default;
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

    bool empty() const { return object_ == 0; }
    Object* object() const { return reinterpret_cast<Object*>(object_ & ~low_bits); }
    std::uint64_t rights() const { return object_ & rights_mask; }
    std::uint64_t badge() const { return badge_; }
    Slot* prev() const { return unpack(prev_); }
    Slot* next() const { return unpack(next_); }
    std::uint32_t depth() const { return static_cast<std::uint32_t>(prev_ >> 48 | (next_ >> 48) << 16); }
    bool is_root() const { return !empty() && depth() == 0; }

    // Changed only by kernel/cap/derivation.cpp, which keeps the tree consistent.
    void fill(Object& object, std::uint64_t rights, std::uint64_t badge, std::uint32_t depth, Slot* prev,
              Slot* next) {
        object_ = reinterpret_cast<std::uintptr_t>(&object) | (rights & rights_mask);
        badge_ = badge;
        prev_ = pack(prev, static_cast<std::uint16_t>(depth));
        next_ = pack(next, static_cast<std::uint16_t>(depth >> 16));
    }
    void set_rights(std::uint64_t rights) { object_ = (object_ & ~low_bits) | (rights & rights_mask); }
    void set_prev(Slot* s) { prev_ = pack(s, static_cast<std::uint16_t>(prev_ >> 48)); }
    void set_next(Slot* s) { next_ = pack(s, static_cast<std::uint16_t>(next_ >> 48)); }
    void set_depth(std::uint32_t depth) {
        prev_ = pack(prev(), static_cast<std::uint16_t>(depth));
        next_ = pack(next(), static_cast<std::uint16_t>(depth >> 16));
    }
    void clear() { object_ = badge_ = prev_ = next_ = 0; }

private:
    static constexpr std::uintptr_t low_bits = 63;
    static constexpr std::uint64_t address_bits = (std::uint64_t{1} << 48) - 1;

    static std::uint64_t pack(Slot* s, std::uint16_t high) {
        return (reinterpret_cast<std::uintptr_t>(s) & address_bits) | std::uint64_t{high} << 48;
    }
    static Slot* unpack(std::uint64_t word) {
        auto sign_extended = static_cast<std::int64_t>(word << 16) >> 16;
        return reinterpret_cast<Slot*>(static_cast<std::uintptr_t>(sign_extended));
    }

    std::uintptr_t object_ = 0; ///< Object* | rights
    std::uint64_t badge_ = 0;
    std::uint64_t prev_ = 0; ///< Slot* (48 bits) | depth bits 0..15
    std::uint64_t next_ = 0; ///< Slot* (48 bits) | depth bits 16..31
};

/// How a Slot takes part in a preorder tree (kernel/lib/preorder_tree.hpp).
struct SlotLinks {
    static Slot* prev(const Slot& s) { return s.prev(); }
    static Slot* next(const Slot& s) { return s.next(); }
    static std::uint32_t depth(const Slot& s) { return s.depth(); }
    static void set_prev(Slot& s, Slot* p) { s.set_prev(p); }
    static void set_next(Slot& s, Slot* p) { s.set_next(p); }
    static void set_depth(Slot& s, std::uint32_t d) { s.set_depth(d); }
};

static_assert(sizeof(Slot) == janus::abi::charge::cap_slot, "a slot must fit its ABI charge");
static_assert(alignof(Object) > Slot::rights_mask, "rights live in an object pointer's low bits");

} // namespace kernel
