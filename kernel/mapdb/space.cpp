#include "kernel/mapdb/space.hpp"

#include "kernel/kmem/kmem.hpp"
#include "kernel/mapdb/domain.hpp"
#include "kernel/mem/flush.hpp"
#include "kernel/panic.hpp"

namespace kernel::mapdb {

namespace {

namespace r = janus::abi::rights;
using Encoding = arch::PteEncoding;

mem::Attributes attributes_of(const Node& n) {
    mem::Attributes a;
    a.rights.write = n.rights & r::write;
    a.rights.execute = n.rights & r::exec;
    a.rights.user = true;
    a.cache = cache_of(n.flags);
    return a;
}

bool accessible(std::uint8_t rights) {
    return (rights & access_rights) != 0;
}

/// Adds `flush` to what `pd`'s space must invalidate when the operation ends.
void note(State& db, Domain& pd, const mem::Flush& flush) {
    if (flush.kind == mem::Flush::Kind::none) return;
    AddressSpace& s = pd.memory;
    s.pending = mem::merge(s.pending, flush);
    if (!s.dirty) {
        s.dirty = true;
        s.next_dirty = db.dirty;
        db.dirty = &s;
    }
}

struct Table {
    KmemTableMemory memory;
    UserPageTable table;

    Table(State& db, const Domain& pd, TableReserve& tables)
        : memory{db.kmem}, table(memory, tables, pd.memory.top_phys) {}
};

} // namespace

unsigned tables_needed(const State& db, const Domain& pd, std::uint64_t va, std::uint64_t bytes) {
    const KmemTableMemory memory{db.kmem};
    // Walk each 2 MiB region of the range in increasing order; a missing table of level l covers a region
    // of va >> shift_of_level(l + 1), so comparing with the last region counted per level counts each once.
    std::uint64_t last_counted[4] = {~0ull, ~0ull, ~0ull, ~0ull};
    unsigned missing = 0;
    const std::uint64_t last = va + bytes - 1;
    for (std::uint64_t v = va;;) {
        PhysAddr table = pd.memory.top_phys;
        bool absent = false;
        for (unsigned level = 4; level > 1; --level) {
            // Does the table of level `level - 1` entries that covers v exist?
            if (!absent) {
                const auto e =
                    memory.load(table, static_cast<unsigned>(v >> mem::shift_of_level(level)) & 511);
                if (Encoding::is_table(e, level))
                    table = Encoding::table_address(e);
                else
                    absent = true;
            }
            const std::uint64_t region = v >> mem::shift_of_level(level);
            if (absent && last_counted[level - 1] != region) {
                last_counted[level - 1] = region;
                ++missing;
            }
        }
        const std::uint64_t next = (v | (mem::bytes_of_level(2) - 1)) + 1; // the next 2 MiB region
        if (next > last) break;
        v = next;
    }
    return missing;
}

void install(State& db, const Node& n, TableReserve& tables, bool paid) {
    Table t(db, *n.pd, tables);
    NoRetire cleanup;
    const unsigned before = tables.taken();
    // Tables were reserved for this update, the page is a checked user page and nothing else maps there.
    if (accessible(n.rights)) {
        auto flush =
            t.table.map(n.va, n.frame, page_bytes, mem::PageSize::size_4k, attributes_of(n), cleanup);
        JANUS_ASSERT(flush && cleanup.unexpected == 0);
        note(db, *n.pd, flush.value()); // a new translation: nothing to invalidate, unless a bug left one
    } else {
        // No entry, but the tables exist as for any mapped page (their charge does not depend on rights).
        JANUS_ASSERT(t.table.prepare(n.va, mem::PageSize::size_4k));
    }
    const unsigned added = tables.taken() - before;
    AddressSpace& s = n.pd->memory;
    s.tables += added;
    if (paid) {
        s.paid_tables += added;
        n.pd->quota.used += added * janus::abi::charge::page_table;
    }
}

void uninstall(State& db, Domain& pd, std::uint64_t va) {
    TableReserve none(*db.kmem);
    Table t(db, pd, none);
    NoRetire cleanup;
    auto flush = t.table.unmap(va, page_bytes, cleanup);
    JANUS_ASSERT(flush && cleanup.unexpected == 0);
    note(db, pd, flush.value());
}

void reprotect(State& db, const Node& n, std::uint8_t before) {
    if ((n.rights & access_rights) == (before & access_rights)) return;
    if (!accessible(n.rights)) {
        uninstall(db, *n.pd, n.va);
        return;
    }
    TableReserve none(*db.kmem); // the tables exist since the node was installed
    Table t(db, *n.pd, none);
    NoRetire cleanup;
    auto flush = accessible(before) ? t.table.protect(n.va, page_bytes, attributes_of(n).rights, cleanup)
                                    : t.table.map(n.va, n.frame, page_bytes, mem::PageSize::size_4k,
                                                  attributes_of(n), cleanup);
    JANUS_ASSERT(flush && cleanup.unexpected == 0 && none.taken() == 0);
    note(db, *n.pd, flush.value()); // kernel/mem reports a flush only if access went down
}

void finish(State& db) {
    while (AddressSpace* s = db.dirty) {
        db.dirty = s->next_dirty;
        s->next_dirty = nullptr;
        s->dirty = false;
        // Read after the entries changed: a CPU that marks itself later loads the space after that and
        // walks the new entries (both sides are full barriers: the entries by CAS, the mark by fetch_or).
        const arch::CpuMask cpus{s->cpus.load(arch::MemoryOrder::seq_cst)};
        if (cpus.bits) arch::tlb_shootdown(cpus, s->asid, s->pending);
        s->pending = mem::no_flush();
    }
}

} // namespace kernel::mapdb
