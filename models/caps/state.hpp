// The capability model's state: plain maps, every relation stored once where possible, nothing clever.
// Identities (ObjId, CapId, MapId) are the model's own bookkeeping, never visible through the ABI.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <utility>

#include "kernel/abi/abi.hpp"

namespace models::caps {

using Word = std::uint64_t;
using ObjId = std::uint64_t; ///< 0 = none
using CapId = std::uint64_t; ///< 0 = none (no parent)
using MapId = std::uint64_t; ///< 0 = none (no parent)
using janus::abi::Error;
using janus::abi::ObjectType;

inline constexpr Word page_size = 4096;

inline bool has_rights(Word have, Word needed) {
    return (have & needed) == needed;
}

/// One kernel object. Fields after `type` are meaningful only for the types named in their comments.
struct Object {
    ObjectType type = ObjectType::none;
    ObjId payer = 0;  ///< PD whose quota paid `charge` (0: boot object, paid by nobody)
    Word charge = 0;  ///< bytes refunded to the payer when the object dies
    ObjId holder = 0; ///< thread: the PD it runs in

    // thread
    Word utcb = 0; ///< page address of the UTCB in `holder`'s address space
    Word prio = 0;
    Word cpu = 0;
    ObjId pager = 0;      ///< endpoint (weak)
    Word pager_badge = 0; ///< the badge of the capability the pager was set from
    ObjId exception = 0;  ///< endpoint (weak)
    Word exception_badge = 0;

    // io_ports: ports first .. first + count - 1; mmio: pages from physical address first, count of them
    Word first = 0;
    Word count = 0;
    Word memory_type = 0; ///< mmio: janus::abi::mmio_uncached or mmio_write_combining

    // irq
    Word line = 0;
    ObjId bound_to = 0; ///< notification (weak)
    Word bit = 0;
};

/// A protection domain's own state (its Object entry holds payer/charge).
struct Pd {
    ObjId creator = 0;      ///< gets `limit` back when this PD dies (0: the boot PD)
    Word limit = 0;         ///< kernel-memory quota granted
    Word fixed = 0;         ///< bytes the model does not itemise (the boot PD's `used` at boot; 0 by the ABI)
    unsigned cap_order = 0; ///< the capability space has 2^cap_order slots
    std::map<Word, CapId> slots; ///< selector -> capability
    std::map<Word, MapId> pages; ///< page address -> mapping (mapping database node)
    std::map<Word, ObjId> utcbs; ///< page address -> thread whose UTCB is mapped there
    /// Page-table pages below the top level (which the creator paid with the PD): (level 3..1, index of the
    /// region it covers). Paid by this PD, except the ones boot made, which nobody paid.
    std::set<std::pair<int, Word>> page_tables;
    std::set<std::pair<int, Word>> boot_page_tables;
};

/// A capability: a slot's content and its place in the derivation tree (children point at their parent).
struct Cap {
    ObjId pd = 0; ///< the PD whose space holds it
    Word sel = 0;
    ObjId object = 0;
    Word rights = 0;
    Word badge = 0;
    CapId parent = 0;
};

/// A mapping-database node: one 4 KiB page of an address space, derived from its parent mapping.
struct Mapping {
    ObjId pd = 0;
    Word page = 0;
    Word frame = 0;  ///< physical frame address
    Word rights = 0; ///< read/write/exec/grant bits
    MapId parent = 0;
    ObjId payer = 0;  ///< the PD charged one mapping node for it (0: boot mapping, paid by nobody)
    ObjId device = 0; ///< an mmio_map root: the mmio object it maps (its death removes the mapping)
};

/// `to` := `from`, keeping the nodes of the keys both hold: their values are assigned in place (so maps
/// inside them keep their nodes too), and only keys one of them lacks cost an allocation or a free. Resetting
/// a state to a similar one (the fuzzer's boot state before every input) so allocates little.
template <typename Map>
void assign_reusing(Map& to, const Map& from) {
    auto t = to.begin();
    for (auto f = from.begin(); f != from.end();) {
        if (t == to.end() || to.value_comp()(*f, *t)) {
            to.insert(t, *f);
            ++f;
        } else if (to.value_comp()(*t, *f)) {
            t = to.erase(t);
        } else {
            if constexpr (requires { typename Map::mapped_type; }) t->second = f->second;
            ++t;
            ++f;
        }
    }
    to.erase(t, to.end());
}

struct State {
    std::map<ObjId, Object> objects; ///< live objects only
    std::map<ObjId, Pd> pds;         ///< one per live pd object
    std::map<CapId, Cap> caps;
    std::map<MapId, Mapping> mappings;
    ObjId next_object = 1;
    CapId next_cap = 1;
    MapId next_mapping = 1;

    State() = default;
    State(const State&) = default;
    State(State&&) = default;
    State& operator=(State&&) = default;
    /// Reuses this state's nodes (assign_reusing): the fuzzer resets its model to the boot state before
    /// every input by assignment.
    State& operator=(const State& o) {
        assign_reusing(objects, o.objects);
        assign_reusing(pds, o.pds);
        assign_reusing(caps, o.caps);
        assign_reusing(mappings, o.mappings);
        next_object = o.next_object;
        next_cap = o.next_cap;
        next_mapping = o.next_mapping;
        return *this;
    }
};

} // namespace models::caps
