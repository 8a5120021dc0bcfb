#include "kernel/mapdb/mapdb.hpp"

#include "kernel/abi/flexpage.hpp"
#include "kernel/mapdb/derivation.hpp"
#include "kernel/mapdb/space.hpp"
#include "kernel/obj/kernel.hpp"
#include "kernel/obj/mmio.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"
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

void charge_node(Pd& pd) {
    ++pd.memory.paid_nodes;
    pd.quota.used += mapping_charge;
}

void refund_node(Pd& pd) {
    --pd.memory.paid_nodes;
    pd.quota.used -= mapping_charge;
}

Node& make_node(Kernel& kernel, Pd& pd, std::uint64_t va, std::uint64_t frame, std::uint8_t rights,
                std::uint8_t flags) {
    Node& n = kernel.mapdb.nodes.take();
    n = Node{&pd, va, frame, nullptr, nullptr, nullptr, nullptr, 0, rights, 0, flags};
    return n;
}

} // namespace

namespace mapdb {

/// Takes `n`, whose descendants are gone, out of everything: its page-table entry, its domain's index and
/// charge, its tree; its memory goes back to the pool.
void remove_node(Kernel& kernel, Node& n) {
    Pd& pd = *n.pd;
    if (n.rights & access_rights) uninstall(kernel, pd, n.va);
    pd.memory.index.erase(n);
    if (n.paid()) refund_node(pd);
    unlink(n);
    kernel.mapdb.nodes.give(kernel.kmem, n);
}

/// Removes every node derived from `n`, in any domain: the nodes after it that are deeper, in list order.
/// (The list is not well formed again until the last of them is gone; nothing looks at it meanwhile.)
void remove_descendants(Kernel& kernel, Node& n) {
    while (Node* d = first_descendant(n)) remove_node(kernel, *d);
}

} // namespace mapdb

Error map_check(const Pd& from, std::uint64_t src, const Pd& to, std::uint64_t dest) {
    if (!fpage::well_formed(src)) return bad_flexpage;
    const std::uint64_t base = fpage::base(src), bytes = fpage::bytes(src);
    if (!user_pages(base, bytes) || !user_pages(dest, bytes)) return bad_address;
    // One lookup per source page; an unmapped page anywhere still outranks missing rights on an earlier one.
    const std::uint64_t wanted = fpage::rights(src);
    bool rights_missing = false;
    for (std::uint64_t off = 0; off < bytes; off += page_bytes) {
        const Node* n = from.memory.index.find(base + off);
        if (!n) return not_mapped;
        rights_missing = rights_missing || n->utcb() || !has(n->rights, r::grant | wanted);
    }
    if (rights_missing) return missing_rights;
    for (std::uint64_t off = 0; off < bytes; off += page_bytes)
        if (to.memory.index.find(dest + off)) return mapping_conflict;
    return ok;
}

Error map_pages(Kernel& kernel, Pd& from, std::uint64_t src, Pd& to, std::uint64_t dest, bool grant) {
    if (Error e = map_check(from, src, to, dest); e != ok) return e;
    const std::uint64_t base = fpage::base(src), bytes = fpage::bytes(src), pages = bytes / page_bytes;
    if (!grant)
        for (std::uint64_t off = 0; off < bytes; off += page_bytes)
            if (from.memory.index.find(base + off)->depth == max_depth) return invalid_argument;

    // Quota: the receiver pays a node per page and the tables it lacks (with grant before the sender's
    // nodes are refunded). Then every page this needs, before anything changes.
    const unsigned tables = tables_needed(kernel, to, dest, bytes);
    const std::uint64_t bill =
        pages * mapping_charge + std::uint64_t{tables} * janus::abi::charge::page_table;
    if (!to.quota.covers(bill)) return quota_exhausted;
    TableReserve reserve(kernel.kmem);
    if (!reserve.fill(tables)) return quota_exhausted;
    if (!grant && !kernel.mapdb.nodes.reserve(kernel.kmem, pages)) return quota_exhausted;

    const auto wanted = static_cast<std::uint8_t>(fpage::rights(src));
    for (std::uint64_t off = 0; off < bytes; off += page_bytes) {
        Node& s = *from.memory.index.find(base + off);
        const auto rights = static_cast<std::uint8_t>(wanted | (s.rights & r::grant));
        Node* placed;
        if (!grant) {
            // The memory type comes along: a device page stays uncached or write-combining wherever it goes.
            Node& c = make_node(kernel, to, dest + off, s.frame, rights,
                                static_cast<std::uint8_t>(flag::paid | (s.flags & flag::memory_type)));
            link_child(s, c);
            placed = &c;
        } else {
            // The node moves, keeping its place in its tree; its descendants lose what it loses.
            if (s.rights & access_rights) uninstall(kernel, from, s.va);
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
                    reprotect(kernel, *d, before);
                }
            placed = &s;
        }
        to.memory.index.insert(*placed);
        charge_node(to);
        install(kernel, *placed, reserve, true);
    }
    finish(kernel);
    return ok;
}

void unmap_pages(Kernel& kernel, Pd& pd, std::uint64_t base, std::uint64_t bytes, bool self) {
    if (!user_pages(base, bytes)) return;
    const std::uint64_t end = base + bytes;
    for (Node* n = pd.memory.index.lower_bound(base); n && n->va < end;) {
        const std::uint64_t va = n->va;
        if (!n->utcb()) {
            remove_descendants(kernel, *n); // may remove nodes of pd itself, even later ones in the range
            if (self) remove_node(kernel, *n);
        }
        n = pd.memory.index.lower_bound(va + page_bytes);
    }
    finish(kernel);
}

Error grant_root_memory(Kernel& kernel, Pd& root, std::uint64_t va, std::uint64_t pa, std::uint64_t pages,
                        std::uint64_t rights) {
    if (rights & ~std::uint64_t{memory_rights}) return invalid_argument;
    if (pages == 0 || pages > janus::abi::user_end / page_bytes) return bad_address;
    const std::uint64_t bytes = pages * page_bytes;
    if (!user_pages(va, bytes) || pa % page_bytes != 0 || pa >= mem::X86Encoding::max_phys ||
        bytes > mem::X86Encoding::max_phys - pa)
        return bad_address;
    if (const Node* n = root.memory.index.lower_bound(va); n && n->va < va + bytes) return mapping_conflict;
    const unsigned tables = tables_needed(kernel, root, va, bytes);
    TableReserve reserve(kernel.kmem);
    if (!reserve.fill(tables) || !kernel.mapdb.nodes.reserve(kernel.kmem, pages)) return quota_exhausted;
    for (std::uint64_t i = 0; i < pages; ++i) {
        Node& n = make_node(kernel, root, va + i * page_bytes, pa + i * page_bytes,
                            static_cast<std::uint8_t>(rights), 0);
        link_root(n);
        root.memory.index.insert(n);
        install(kernel, n, reserve, false);
    }
    finish(kernel);
    return ok;
}

Error map_device_pages(Kernel& kernel, Mmio& mmio, std::uint64_t first, std::uint64_t pages, Pd& to,
                       std::uint64_t va, std::uint64_t rights) {
    const std::uint64_t bytes = pages * page_bytes; // pages <= mmio.pages() < 2^34: no overflow
    if (!user_pages(va, bytes)) return bad_address;
    if (const Node* n = to.memory.index.lower_bound(va); n && n->va < va + bytes) return mapping_conflict;
    const unsigned tables = tables_needed(kernel, to, va, bytes);
    const std::uint64_t bill =
        pages * mapping_charge + std::uint64_t{tables} * janus::abi::charge::page_table;
    if (!to.quota.covers(bill)) return quota_exhausted;
    TableReserve reserve(kernel.kmem);
    if (!reserve.fill(tables) || !kernel.mapdb.nodes.reserve(kernel.kmem, pages)) return quota_exhausted;
    Node& anchor = mmio.anchor;
    const auto flags = static_cast<std::uint8_t>(flag::paid | mmio.memory_type());
    for (std::uint64_t i = 0; i < pages; ++i) {
        Node& n = make_node(kernel, to, va + i * page_bytes, mmio.phys() + (first + i) * page_bytes,
                            static_cast<std::uint8_t>(rights), flags);
        link_child(anchor, n);
        to.memory.index.insert(n);
        charge_node(to);
        install(kernel, n, reserve, true);
    }
    finish(kernel);
    return ok;
}

void unmap_device(Kernel& kernel, Mmio& mmio) {
    remove_descendants(kernel, mmio.anchor);
    finish(kernel);
}

bool page_in_use(const Pd& pd, std::uint64_t va) {
    return pd.memory.index.find(va) != nullptr;
}

// ---- UTCBs

UtcbReservation::UtcbReservation(Kernel& kernel, Pd& home, std::uint64_t va)
    : kernel_(kernel), home_(home), va_(va), tables_(tables_needed(kernel, home, va, page_bytes)),
      reserve_(kernel.kmem) {}

UtcbReservation::~UtcbReservation() {
    reserve_.release();
    if (node_) kernel_.mapdb.nodes.trim(kernel_.kmem);
}

bool UtcbReservation::reserve() {
    if (!reserve_.fill(tables_)) return false;
    if (!kernel_.mapdb.nodes.reserve(kernel_.kmem, 1)) {
        reserve_.release();
        return false;
    }
    node_ = true;
    return true;
}

void UtcbReservation::map(Thread& t, bool paid) {
    JANUS_ASSERT(node_ && t.pd == &home_ && t.utcb == va_);
    Node& n = make_node(kernel_, home_, va_, kernel_.kmem.physical(t.utcb_page),
                        static_cast<std::uint8_t>(r::read | r::write), flag::utcb);
    node_ = false;
    link_root(n);
    home_.memory.index.insert(n);
    install(kernel_, n, reserve_, paid);
    finish(kernel_);
}

} // namespace kernel
