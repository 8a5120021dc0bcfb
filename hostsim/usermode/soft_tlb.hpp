// The TLB of one simulated CPU in user mode: the pages its Unicorn engine has mapped.
//
// A page enters when an access needs it: hostsim walks the loaded address space's real x86-64 page tables in
// simulated RAM (hostsim/pagewalk, written from the SDM, sharing nothing with kernel/) and maps the page onto
// its frame's host memory with the entry's rights. It leaves only when the kernel invalidates it, shoots it
// down or loads another address space (CR3), or when the TLB is full (the oldest goes: hardware may evict any
// time). So a missing invalidation leaves the old translation usable, exactly as on hardware.
//
// Stale translations: whenever the kernel is between operations (its lock is free), every kernel operation
// has finished its shootdowns, so every cached translation must agree with the page tables: the same frame
// and page size, no right the tables no longer give. audit() marks those that do not as stale and takes
// every right from their region; user code touching one is a stale access, the bug a missing shootdown
// causes. While a kernel operation is in flight, disagreement is the legal window before its shootdown.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hostsim/pagewalk.hpp"
#include "hostsim/usermode/engine.hpp"

namespace hostsim::usermode {

/// Simulated physical memory as the walker and the engine see it.
struct Ram {
    std::byte* base = nullptr;
    std::uint64_t size = 0;
};

class SoftTlb {
public:
    struct Entry {
        std::uint64_t va = 0;   ///< page base
        std::uint64_t size = 0; ///< 4 KiB, 2 MiB or 1 GiB
        std::uint64_t frame = 0;
        std::uint32_t prot = 0; ///< UC_PROT_* the engine region grants (while not stale)
        bool stale = false;
        std::string why; ///< for a stale entry: what the page tables say now
    };

    /// Where code Unicorn may have translated came from: a page mapped executable since the last flush of
    /// its translations (the entry itself may be gone).
    struct Code {
        std::uint64_t va, size, frame;
    };

    /// What an access that found no usable entry came to.
    struct Fill {
        enum class Kind : std::uint8_t {
            mapped,   ///< now in the TLB: retry the access
            new_code, ///< mapped, but other code than Unicorn may hold translations of at this address: stop,
                      ///< drop the page's translations (Engine::forget_code) and run again from the rip
            page_fault,  ///< #PF with `error_code` (SDM 4.7)
            stale,       ///< the access hit a stale entry: `message`
            ram_outside, ///< the page tables lead outside simulated RAM: `message`
        };
        Kind kind;
        std::uint64_t error_code = 0;
        std::string message;
    };

    SoftTlb(Engine& engine, Ram ram, std::size_t capacity)
        : engine_(engine), ram_(ram), capacity_(capacity) {}

    /// CR3: another address space drops every translation (user pages are never global).
    void load(std::uint64_t root);
    std::uint64_t root() const { return root_; }

    /// The access to `va` found no region or one without the right (`unmapped` says which).
    Fill fault(MemoryHandler::Access access, std::uint64_t va, bool unmapped);

    void invalidate(std::uint64_t va);
    void flush();
    /// Unicorn 2.0.1 finds code it translated from an unmapped region again for other bytes mapped at the
    /// same address later, so an address space would run another's code (init's components all start with the
    /// same _start at 0x400000). A fetch that maps code onto another frame than the last one at its address
    /// ends the run with Fill::new_code, so the page's translations are dropped outside Unicorn's execution
    /// (dropping them from a hook crashes it); address spaces sharing their code (the suite's child domains)
    /// keep theirs. Before a run this drops every translation when a fill by a data access mapped other code
    /// (rare), and says whether it did.
    bool forget_other_code();
    /// Compares every entry with the page tables; with `settled`, disagreement marks the entry stale.
    void audit(bool settled);

    std::size_t size() const { return entries_.size(); }
    const Entry* find(std::uint64_t va) const;
    std::uint64_t fills() const { return fills_; }

private:
    /// The tables' translation of `va`; `outside` if they lead outside simulated RAM.
    PageWalk walk(std::uint64_t va, bool& outside) const;
    /// Whether the tables now map `e`'s page to `e`'s frame with the right `access` needs.
    bool allows(const Entry& e, MemoryHandler::Access access) const;
    void drop(std::size_t index);
    void drop_overlapping(std::uint64_t va, std::uint64_t size);
    /// An executable page [va, va + size) was just mapped onto `frame` (by a fetch, or another access); true
    /// if Unicorn may hold translations of other code at this address.
    bool note_code(std::uint64_t va, std::uint64_t size, std::uint64_t frame, bool fetching);

    Engine& engine_;
    Ram ram_;
    std::size_t capacity_;
    std::uint64_t root_ = 0;
    std::deque<Entry> entries_; // oldest first
    /// Executable pages mapped since Unicorn's translations were last dropped, by address: the frame the code
    /// Unicorn may hold translations of came from.
    std::map<std::uint64_t, Code> translated_;
    bool forget_all_ = false; ///< drop every translation before the next run
    std::uint64_t fills_ = 0;
};

} // namespace hostsim::usermode
