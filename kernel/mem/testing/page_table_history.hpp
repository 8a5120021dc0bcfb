// Page-table operations as a linearizability history (host only): the calls the checker's scenarios make,
// what the kernel answered, the atomic pieces a call is made of, how each piece acts on the address-space
// model, and the history printed for a person.
//
// Atomicity, as page_table.hpp promises it: a lookup reads one entry per level and sees each update entirely
// before or after its compare-and-swap; an update changes translations one entry at a time. So a map of n
// pages is n single-page maps in ascending order, an unmap of n units is n unmaps of one unit (a unit is one
// page of the size the call names: each is at most one CAS, which may remove a whole superpage or table), and
// a protect of n 4 KiB pages is n single-page protects (after phase 1's splits, which change no
// translation). Those pieces are what the checker orders.
//
// Splits are pieces of their own: map and protect split superpages in a phase before they change any
// translation (page_table.hpp's phase 1), and although a split keeps every translation it changes what a
// concurrent unmap does (an unmap of a 4 KiB page removes a whole superpage, or only that page once it is
// split). So a map or protect begins with a split piece, the model's cuts for its pages or its range ends,
// which the checker may place anywhere between the call's invocation and its first change.
//
// A lookup's answer is compared by translation (frame, rights, memory type, global bit), not page size: a
// split keeps every translation, and map and protect split in a phase of their own (below), whose place in
// the order a lookup cannot pin down. The final state is compared with page sizes: once every call is
// placed, the model's splits are exactly the kernel's (an unneeded split would change what a later unmap
// removes).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kernel/mem/flush.hpp"
#include "kernel/mem/paging.hpp"
#include "models/address_space.hpp"

namespace kernel::mem::testing::lin {

/// Where the scenarios work: a 1 GiB-aligned window of virtual addresses, mapped (by every call) to the same
/// offset above `phys_base`, so a page never changes frame and TLB entries go stale only by disappearing or
/// losing rights (a remap to another frame while a CPU holds the old entry is what hostsim's TLB model calls
/// a stale use even before the update's shootdown; the checker would learn nothing from it).
inline constexpr VirtAddr window = 0x0000'4000'0000'0000;
inline constexpr PhysAddr phys_base = 0x40'0000'0000;

enum class OpKind : std::uint8_t { map, unmap, protect, lookup, translate };

struct Call {
    OpKind kind = OpKind::lookup;
    VirtAddr va = 0;
    std::uint64_t bytes = 0;           ///< map, unmap, protect
    PageSize size = PageSize::size_4k; ///< map: the page size; unmap: the unit; protect: 4 KiB
    PhysAddr pa = 0;                   ///< map
    Attributes attributes;             ///< map
    Rights rights;                     ///< protect
};

/// What the kernel answered.
struct Answer {
    std::optional<MapError> error;     ///< updates
    Flush flush{};                     ///< updates that succeeded
    std::optional<Translation> found;  ///< lookup (kernel PageTable::lookup)
    std::optional<std::uint64_t> phys; ///< translate (an access through the CPU's TLB model)
};

/// One call as it happened: on which CPU, with the logical times of invocation and response.
struct Event {
    unsigned cpu = 0;
    Call call;
    Answer answer;
    std::uint64_t invoke = 0;
    std::uint64_t response = 0;
};

/// One atomic piece of an event.
struct Piece {
    std::size_t event = 0;
    VirtAddr va = 0;
    std::uint64_t bytes = 0;
    PhysAddr pa = 0;
    bool split = false; ///< the call's phase 1: the model's cuts, no translation changes
};

std::vector<Piece> pieces_of(const std::vector<Event>& events);

/// Applies a piece to the model; false if the kernel's answer is not what the model gives (for an update,
/// also: the model needs a flush of the piece's range and the kernel's flush does not cover it).
bool apply(models::AddressSpace& model, const Event& e, const Piece& p);

/// Applies a whole call (setup before the CPUs start).
void apply_call(models::AddressSpace& model, const Call& c);

/// The model's translations as maximal runs (contiguous in virtual and physical address, equal attributes and
/// page size), one line each; the same text for the kernel's tables comes from `Run`s the scenario collects.
struct Run {
    VirtAddr start = 0, end = 0; ///< [start, end)
    PhysAddr phys = 0;
    Rights rights;
    Cache cache = Cache::write_back;
    bool global = false;
    std::uint64_t page_size = 0; ///< of every page in the run
    friend bool operator==(const Run&, const Run&) = default;
};
/// Appends [start, start + bytes) -> phys to `runs`, joining it to the last run where it continues it.
void add_run(std::vector<Run>& runs, const Run& r);
std::vector<Run> runs_of(const models::AddressSpace& model);

/// A string equal states share (page sizes included; runs of equal pieces compressed).
std::string state_key(const models::AddressSpace& model);

/// Virtual addresses print relative to `window` ("W+0x1000"), physical ones to `phys_base` ("P+0x1000").
std::string describe(const Call& c);
std::string describe(const Answer& a, const Call& c);
std::string describe(const std::vector<Run>& runs);

} // namespace kernel::mem::testing::lin
