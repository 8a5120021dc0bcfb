// The memory side's operations: delegating pages between address spaces through the mapping database
// (docs/objects.md "Memory"). Every operation runs under the kernel lock, checks everything and reserves
// every page it needs before it changes anything (all or nothing), and ends with the TLB shootdowns its
// changes need.
#pragma once

#include <cstdint>

#include "kernel/kmem/object.hpp"
#include "kernel/mapdb/domain.hpp"
#include "kernel/mapdb/node.hpp"
#include "kernel/mapdb/state.hpp"
#include "kernel/mapdb/user_page_table.hpp"

namespace kernel {

using mapdb::Domain;

/// mem_map's memory checks (stage 7, docs/abi.md): every source page of flexpage `src` is mapped in `from`
/// (else not_mapped), then each is delegable with the flexpage's rights (a UTCB never is; else
/// missing_rights), then every destination page at `dest` in `to` is free (else mapping_conflict), then,
/// unless the pages are granted, each source node has room for a child below it (else invalid_argument). The
/// flexpage is well formed and both ranges are user ranges (the caller checked; bad_flexpage / bad_address
/// otherwise).
Error map_check(const Domain& from, std::uint64_t src, const Domain& to, std::uint64_t dest, bool grant);

/// mem_map without its capability checks, for the syscall and for IPC (memory items, page-fault replies):
/// map_check, then quota (`to` pays a mapping node per page and the page-table pages it lacks:
/// quota_exhausted), then copy each page as a child of its source (rights: the flexpage's plus the source's
/// grant right) or, with `grant`, move the source nodes (with their descendants, which lose the rights the
/// moved node lost). Returns ok or the first error; nothing changed on error.
Error map_pages(mapdb::State& db, Domain& from, std::uint64_t src, Domain& to, std::uint64_t dest,
                bool grant);

/// map_pages after its map_check: the caller got ok from map_check(from, src, to, dest, grant) and has
/// changed nothing since (IPC checks a memory item with the rest of the message, then transfers it first).
Error map_checked_pages(mapdb::State& db, Domain& from, std::uint64_t src, Domain& to, std::uint64_t dest,
                        bool grant);

/// mem_unmap without its argument checks: for every page of [base, base + bytes) that `pd` maps (UTCBs
/// excepted), remove every mapping derived from it in every domain, and with `self` the page too.
void unmap_pages(mapdb::State& db, Domain& pd, std::uint64_t base, std::uint64_t bytes, bool self);

/// Boot memory for the root domain (and tests): maps `pages` frames from `pa` at `va` with `rights` (read,
/// write, exec, grant) as roots of new derivation trees, paid by nobody (page tables included), like the
/// boot objects. The caller owns those frames and hands them over for good. Errors: bad_address (va or pa
/// not page aligned, the range leaves user space), invalid_argument (other rights bits),
/// mapping_conflict, quota_exhausted (the page source ran dry).
Error grant_root_memory(mapdb::State& db, Domain& root, std::uint64_t va, std::uint64_t pa,
                        std::uint64_t pages, std::uint64_t rights);

/// mmio_map without its capability checks: maps `pages` device pages from physical `phys` on (inside an mmio
/// object's range: the caller checked) into `to` at `va` with `rights` (read, write, grant) and the object's
/// `memory_type` (flag::uncached or flag::write_combining), as children of the object's `anchor`. Errors:
/// bad_address (va not page aligned, the range leaves user space), mapping_conflict (a page there is taken),
/// quota_exhausted (`to` pays a node per page and the tables it lacks, as for mem_map). All or nothing.
Error map_device_pages(mapdb::State& db, mapdb::Node& anchor, std::uint64_t phys, std::uint8_t memory_type,
                       std::uint64_t pages, Domain& to, std::uint64_t va, std::uint64_t rights);

/// The mmio object with `anchor` is dying: every mapping made from it and everything derived from those go,
/// with the TLB shootdowns, before this returns.
void unmap_device(mapdb::State& db, mapdb::Node& anchor);

/// Whether `va` of `pd` is taken (by a mapping or a UTCB): thread_create's mapping_conflict.
bool page_in_use(const Domain& pd, std::uint64_t va);

/// What a new thread's UTCB mapping needs, reserved before the thread is made (make_thread): page-table
/// pages and a node. Dropping it unused gives everything back.
class UtcbReservation {
public:
    UtcbReservation(mapdb::State& db, Domain& home, std::uint64_t va);
    ~UtcbReservation();
    UtcbReservation(const UtcbReservation&) = delete;
    UtcbReservation& operator=(const UtcbReservation&) = delete;

    /// Page-table pages the mapping adds (each charged page_table to `home` unless boot).
    unsigned tables() const { return tables_; }
    /// Takes the memory; false (nothing kept) if the page source ran dry.
    bool reserve();
    /// Maps the UTCB page `page` (a Kmem page) at va in home; `paid`: charge the tables to home.
    void map(const void* page, bool paid);

private:
    mapdb::State& db_;
    Domain& home_;
    std::uint64_t va_;
    unsigned tables_;
    mapdb::TableReserve reserve_;
    bool node_ = false;
};

/// What `pd` maps, for tests and the model comparison: calls f(va, frame, rights) in address order for each
/// mem_map page (not UTCBs).
template <typename F>
void visit_mappings(const Domain& pd, F&& f);

} // namespace kernel

#include "kernel/mapdb/visit.hpp"
