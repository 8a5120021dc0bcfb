// The timer service's bookkeeping: up to max_timers running timers, counted in ticks of line 0, each owned
// by a client (its badge) and holding the client's notification capability in one of `slots` selectors.
// Pure logic, no syscalls: the server passes what happens to the outside world through Effects, so host tests
// drive it tick by tick.
//
// Invariants: a running timer's due tick is after now(); no two running timers hold the same slot; at most
// max_timers run, and there are max_timers + 1 slots, so free_slot() always has one for the next request's
// capability to land in (a request the table is too full for is then answered table_full, not refused by
// the kernel).
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>

#include "user/lib/timer_protocol.hpp"

namespace janus::components::timer {

using janus::timer::Status;

/// What the server does for the table. signal(): OR `bits` into the notification in `slot`; false if that
/// capability no longer names a live notification. release(): the capability in `slot` is not needed any
/// more.
template <typename E>
concept Effects = requires(E e, unsigned slot, std::uint64_t bits) {
    { e.signal(slot, bits) } -> std::same_as<bool>;
    e.release(slot);
};

struct Added {
    Status status;
    std::uint64_t id; ///< when ok
};

class Timers {
public:
    static constexpr std::size_t capacity = janus::timer::max_timers;
    static constexpr unsigned slots = capacity + 1;

    /// Ticks counted so far.
    std::uint64_t now() const { return now_; }
    std::size_t running() const;

    /// A slot no running timer holds (one always exists).
    unsigned free_slot() const;

    /// Starts a timer for `owner` whose notification capability is in `slot` (a free one): `bits` after
    /// `ns`, and with `periodic` every `ns` after that. On any status but ok the caller still owns the slot.
    Added add(std::uint64_t owner, unsigned slot, std::uint64_t ns, std::uint64_t bits, bool periodic);

    /// Stops `owner`'s timer `id`; its slot is released.
    template <Effects E>
    Status cancel(std::uint64_t owner, std::uint64_t id, E& effects) {
        Entry* t = find(owner, id);
        if (!t) return Status::no_such_timer;
        stop(*t, effects);
        return Status::ok;
    }

    /// One tick passed: signals every timer now due, in table order. A one-shot timer stops after its signal,
    /// a periodic one is due again a period later; one whose notification is gone stops at once.
    template <Effects E>
    void tick(E& effects) {
        ++now_;
        for (Entry& t : table_) {
            if (!t.running || t.due != now_) continue;
            if (!effects.signal(t.slot, t.bits) || t.period == 0)
                stop(t, effects);
            else
                t.due += t.period;
        }
    }

private:
    struct Entry {
        bool running = false;
        std::uint64_t owner = 0;
        unsigned slot = 0;
        std::uint64_t bits = 0;
        std::uint64_t due = 0;
        std::uint64_t period = 0; ///< ticks; 0: one-shot
        std::uint64_t generation = 0;
    };

    /// An id names an entry and its generation, so an id kept after its timer stopped never names the next
    /// timer in that entry.
    static constexpr unsigned index_bits = 8;
    static std::uint64_t id_of(std::size_t index, const Entry& t) {
        return t.generation << index_bits | index;
    }
    Entry* find(std::uint64_t owner, std::uint64_t id);

    template <Effects E>
    void stop(Entry& t, E& effects) {
        t.running = false;
        ++t.generation;
        effects.release(t.slot);
    }

    Entry table_[capacity];
    std::uint64_t now_ = 0;
};

} // namespace janus::components::timer
