#include "kernel/mapdb/mapdb.hpp"

#include "kernel/abi/flexpage.hpp"
#include "kernel/kmem/kmem.hpp"
#include "kernel/mapdb/derivation.hpp"
#include "kernel/mapdb/space.hpp"
#include "kernel/panic.hpp"

namespace kernel {

namespace {

using namespace mapdb;
using enum janus::abi::Error;
namespace r = janus::abi::rights;
namespace fpage = janus::abi::fpage;
using janus::abi::user_range;
constexpr std::uint64_t mapping_charge = janus::abi::charge::mapping;

/// [base, base + bytes) is a non-empty, page-aligned range below the user/kernel boundary.
bool user_pages(std::uint64_t base, std::uint64_t bytes) {
    return base % page_bytes == 0 && bytes % page_bytes == 0 && bytes != 0 && user_range(base, bytes);
}

bool has(std::uint8_t have, std::uint64_t needed) {
    return (have & needed) == needed;
}

void charge_node(Domain& pd) {
    ++pd.memory.paid_nodes;
    pd.quota.used += mapping_charge;
}

void refund_node(Domain& pd) {
    --pd.memory.paid_nodes;
    pd.quota.used -= mapping_charge;
}

Node& make_node(State& db, Domain& pd, std::uint64_t va, std::uint64_t frame, std::uint8_t rights,
                std::uint8_t flags) {
    Node& n = db.nodes.take();
    n = Node{&pd, va, frame, nullptr, nullptr, nullptr, nullptr, 0, rights, 0, flags};
    return n;
}

} // namespace

namespace mapdb {

/// Takes `n`, whose descendants are gone, out of everything: its page-table entry, its domain's index and
/// charge, its tree; its memory goes back to the pool.
void remove_node(State& db, Node& n) {
    Domain& pd = *n.pd;
    if (n.rights & access_rights) uninstall(db, pd, n.va);
    pd.memory.index.erase(n);
    if (n.paid()) refund_node(pd);
    unlink(n);
    db.nodes.give(*db.kmem, n);
}

/// Removes every node derived from `n`, in any domain: the nodes after it that are deeper, in list order.
/// (The list is not well formed again until the last of them is gone; nothing looks at it meanwhile.)
void remove_descendants(State& db, Node& n) {
    while (Node* d = first_descendant(n)) remove_node(db, *d);
}

} // namespace mapdb

Error map_check(const Domain& from, std::uint64_t src, const Domain& to, std::uint64_t dest, bool grant) {
    if (!fpage::well_formed(src)) return bad_flexpage;
    const std::uint64_t base = fpage::base(src), bytes = fpage::bytes(src);
    if (!user_pages(base, bytes) || !user_pages(dest, bytes)) return bad_address;
    // One lookup per source page; an unmapped page anywhere still outranks missing rights on an earlier one,
    // and both outrank a node too deep for a child.
    const std::uint64_t wanted = fpage::rights(src);
    bool rights_missing = false, too_deep = false;
    for (std::uint64_t off = 0; off < bytes; off += page_bytes) {
        const Node* n = from.memory.index.find(base + off);
        if (!n) return not_mapped;
        rights_missing = rights_missing || n->utcb() || !has(n->rights, r::grant | wanted);
        too_deep = too_deep || (!grant && n->depth == max_depth);
    }
    if (rights_missing) return missing_rights;
    for (std::uint64_t off = 0; off < bytes; off += page_bytes)
        if (to.memory.index.find(dest + off)) return mapping_conflict;
    return too_deep ? invalid_argument : ok;
}

Error map_pages(State& db, Domain& from, std::uint64_t src, Domain& to, std::uint64_t dest, bool grant) {
    if (Error e = map_check(from, src, to, dest, grant); e != ok) return e;
    return map_checked_pages(db, from, src, to, dest, grant);
}

Error map_checked_pages(State& db, Domain& from, std::uint64_t src, Domain& to, std::uint64_t dest,
                        bool grant) {
    const std::uint64_t base = fpage::base(src), bytes = fpage::bytes(src), pages = bytes / page_bytes;

    // Quota: the receiver pays a node per page and the tables it lacks (with grant before the sender's
    // nodes are refunded). Then every page this needs, before anything changes.
    const unsigned tables = tables_needed(db, to, dest, bytes);
    const std::uint64_t bill =
        pages * mapping_charge + std::uint64_t{tables} * janus::abi::charge::page_table;
    if (!to.quota.covers(bill)) return quota_exhausted;
    TableReserve reserve(*db.kmem);
    if (!reserve.fill(tables)) return quota_exhausted;
    if (!grant && !db.nodes.reserve(*db.kmem, pages)) return quota_exhausted;

    const auto wanted = static_cast<std::uint8_t>(fpage::rights(src));
    for (std::uint64_t off = 0; off < bytes; off += page_bytes) {
        Node& s = *from.memory.index.find(base + off);
        const auto rights = static_cast<std::uint8_t>(wanted | (s.rights & r::grant));
        Node* placed;
        if (!grant) {
            // The memory type comes along: a device page stays uncached or write-combining wherever it goes.
            Node& c = make_node(db, to, dest + off, s.frame, rights,
                                static_cast<std::uint8_t>(flag::paid | (s.flags & flag::memory_type)));
            link_child(s, c);
            placed = &c;
        } else {
            // The node moves, keeping its place in its tree; its descendants lose what it loses.
            if (s.rights & access_rights) uninstall(db, from, s.va);
            from.memory.index.erase(s);
            if (s.paid()) refund_node(from);
            const std::uint8_t lost = s.rights & static_cast<std::uint8_t>(~rights);
            s.pd = &to;
            s.va = dest + off;
            s.rights = rights;
            s.flags |= flag::paid;
            if (lost)
                for (Node* d = first_descendant(s); d; d = next_descendant(s, *d)) {
                    const std::uint8_t before = d->rights;
                    d->rights = before & rights;
                    reprotect(db, *d, before);
                }
            placed = &s;
        }
        to.memory.index.insert(*placed);
        charge_node(to);
        install(db, *placed, reserve, true);
    }
    finish(db);
    return ok;
}

void unmap_pages(State& db, Domain& pd, std::uint64_t base, std::uint64_t bytes, bool self) {
    if (!user_pages(base, bytes)) return;
    const std::uint64_t end = base + bytes;
    for (Node* n = pd.memory.index.lower_bound(base); n && n->va < end;) {
        const std::uint64_t va = n->va;
        if (!n->utcb()) {
            remove_descendants(db, *n); // may remove nodes of pd itself, even later ones in the range
            if (self) remove_node(db, *n);
        }
        n = pd.memory.index.lower_bound(va + page_bytes);
    }
    finish(db);
}

Error grant_root_memory(State& db, Domain& root, std::uint64_t va, std::uint64_t pa, std::uint64_t pages,
                        std::uint64_t rights) {
    if (rights & ~std::uint64_t{memory_rights}) return invalid_argument;
    if (pages == 0 || pages > janus::abi::user_end / page_bytes) return bad_address;
    const std::uint64_t bytes = pages * page_bytes;
    if (!user_pages(va, bytes) || pa % page_bytes != 0 || pa >= arch::PteEncoding::max_phys ||
        bytes > arch::PteEncoding::max_phys - pa)
        return bad_address;
    if (const Node* n = root.memory.index.lower_bound(va); n && n->va < va + bytes) return mapping_conflict;
    const unsigned tables = tables_needed(db, root, va, bytes);
    TableReserve reserve(*db.kmem);
    if (!reserve.fill(tables) || !db.nodes.reserve(*db.kmem, pages)) return quota_exhausted;
    for (std::uint64_t i = 0; i < pages; ++i) {
        Node& n = make_node(db, root, va + i * page_bytes, pa + i * page_bytes,
                            static_cast<std::uint8_t>(rights), 0);
        link_root(n);
        root.memory.index.insert(n);
        install(db, n, reserve, false);
    }
    finish(db);
    return ok;
}

Error map_device_pages(State& db, Node& anchor, std::uint64_t phys, std::uint8_t memory_type,
                       std::uint64_t pages, Domain& to, std::uint64_t va, std::uint64_t rights) {
    const std::uint64_t bytes = pages * page_bytes; // pages <= an mmio object's pages < 2^34: no overflow
    if (!user_pages(va, bytes)) return bad_address;
    if (const Node* n = to.memory.index.lower_bound(va); n && n->va < va + bytes) return mapping_conflict;
    const unsigned tables = tables_needed(db, to, va, bytes);
    const std::uint64_t bill =
        pages * mapping_charge + std::uint64_t{tables} * janus::abi::charge::page_table;
    if (!to.quota.covers(bill)) return quota_exhausted;
    TableReserve reserve(*db.kmem);
    if (!reserve.fill(tables) || !db.nodes.reserve(*db.kmem, pages)) return quota_exhausted;
    const auto flags = static_cast<std::uint8_t>(flag::paid | (memory_type & flag::memory_type));
    for (std::uint64_t i = 0; i < pages; ++i) {
        Node& n = make_node(db, to, va + i * page_bytes, phys + i * page_bytes,
                            static_cast<std::uint8_t>(rights), flags);
        link_child(anchor, n);
        to.memory.index.insert(n);
        charge_node(to);
        install(db, n, reserve, true);
    }
    finish(db);
    return ok;
}

void unmap_device(State& db, Node& anchor) {
    remove_descendants(db, anchor);
    finish(db);
}

bool page_in_use(const Domain& pd, std::uint64_t va) {
    return pd.memory.index.find(va) != nullptr;
}

// ---- UTCBs

UtcbReservation::UtcbReservation(State& db, Domain& home, std::uint64_t va)
    : db_(db), home_(home), va_(va), tables_(tables_needed(db, home, va, page_bytes)), reserve_(*db.kmem) {}

UtcbReservation::~UtcbReservation() {
    reserve_.release();
    if (node_) db_.nodes.trim(*db_.kmem);
}

bool UtcbReservation::reserve() {
    if (!reserve_.fill(tables_)) return false;
    if (!db_.nodes.reserve(*db_.kmem, 1)) {
        reserve_.release();
        return false;
    }
    node_ = true;
    return true;
}

void UtcbReservation::map(const void* page, bool paid) {
    JANUS_ASSERT(node_);
    Node& n = make_node(db_, home_, va_, db_.kmem->physical(page),
                        static_cast<std::uint8_t>(r::read | r::write), flag::utcb);
    node_ = false;
    link_root(n);
    home_.memory.index.insert(n);
    install(db_, n, reserve_, paid);
    finish(db_);
}

} // namespace kernel
