#include "user/components/timer/timers.hpp"

namespace janus::components::timer {

std::size_t Timers::running() const {
    std::size_t n = 0;
    for (const Entry& t : table_) n += t.running;
    return n;
}

unsigned Timers::free_slot() const {
    for (unsigned s = 0; s < slots; ++s) {
        bool held = false;
        for (const Entry& t : table_) held |= t.running && t.slot == s;
        if (!held) return s;
    }
    return slots; // unreachable: capacity < slots
}

Added Timers::add(std::uint64_t owner, unsigned slot, std::uint64_t ns, std::uint64_t bits, bool periodic) {
    if (ns == 0 || bits == 0 || slot >= slots) return {Status::bad_argument, 0};
    for (const Entry& t : table_)
        if (t.running && t.slot == slot) return {Status::bad_argument, 0};
    for (std::size_t i = 0; i < capacity; ++i) {
        Entry& t = table_[i];
        if (t.running) continue;
        const std::uint64_t ticks = janus::timer::ticks_for(ns);
        // One tick more than the delay: now() is somewhere inside the current tick, so a timer due at
        // now() + ticks could fire up to a tick early (timer_protocol.hpp).
        t.running = true;
        t.owner = owner;
        t.slot = slot;
        t.bits = bits;
        t.due = now_ + ticks + 1;
        t.period = periodic ? ticks : 0;
        return {Status::ok, id_of(i, t)};
    }
    return {Status::table_full, 0};
}

Timers::Entry* Timers::find(std::uint64_t owner, std::uint64_t id) {
    const std::uint64_t index = id & ((1u << index_bits) - 1);
    if (index >= capacity) return nullptr;
    Entry& t = table_[index];
    if (!t.running || t.owner != owner || id_of(index, t) != id) return nullptr;
    return &t;
}

} // namespace janus::components::timer
