// The object layer's hooks into the memory side (domain.hpp): a new domain's top-level table, a dying
// thread's UTCB, a dying domain's address space, and the run loop entering a space.
#include "kernel/mapdb/address_space.hpp"

#include "kernel/kmem/kmem.hpp"
#include "kernel/mapdb/derivation.hpp"
#include "kernel/mapdb/domain.hpp"
#include "kernel/mapdb/space.hpp"

namespace kernel::mapdb {

void address_space_init(State& db, AddressSpace& s, void* top_level) {
    auto* entries = static_cast<std::uint64_t*>(top_level);
    for (unsigned i = 0; i < 512; ++i) entries[i] = 0;
    s.top_level = top_level;
    s.top_phys = db.kmem->physical(top_level);
    arch::prepare_user_top_table(s.top_phys);
    auto& last = db.last_asid;
    last = static_cast<arch::AddressSpaceId>(last == 0xffff ? 1 : last + 1);
    s.asid = last;
}

arch::AddressSpaceRoot address_space_enter(AddressSpace& s, arch::CpuId cpu) {
    s.cpus.fetch_or(std::uint64_t{1} << cpu, arch::MemoryOrder::seq_cst);
    return arch::AddressSpaceRoot{s.top_phys, s.asid};
}

void address_space_utcb_dying(State& db, Domain& pd, std::uint64_t utcb) {
    Node* n = pd.memory.index.find(utcb);
    if (!n || !n->utcb()) return;
    remove_node(db, *n);
    finish(db); // before the UTCB page is freed
}

namespace {

/// Frees every page-table page below the top level (entries 0..255 of the top table are the user half).
void free_tables(Kmem& kmem, AddressSpace& s) {
    using E = arch::PteEncoding;
    const KmemTableMemory memory{&kmem};
    auto free_table = [&](PhysAddr table) { kmem.release(kmem.at_physical(table), Kmem::page_bytes); };
    for (unsigned i4 = 0; i4 < 256; ++i4) {
        const auto e4 = memory.load(s.top_phys, i4);
        if (!E::is_table(e4, 4)) continue;
        const PhysAddr t3 = E::table_address(e4);
        for (unsigned i3 = 0; i3 < 512; ++i3) {
            const auto e3 = memory.load(t3, i3);
            if (!E::is_table(e3, 3)) continue;
            const PhysAddr t2 = E::table_address(e3);
            for (unsigned i2 = 0; i2 < 512; ++i2) {
                const auto e2 = memory.load(t2, i2);
                if (E::is_table(e2, 2)) free_table(E::table_address(e2));
            }
            free_table(t2);
        }
        free_table(t3);
        static_cast<std::uint64_t*>(s.top_level)[i4] = 0;
    }
}

} // namespace

void address_space_teardown(State& db, Domain& pd) {
    AddressSpace& s = pd.memory;
    while (Node* n = s.index.root) {
        remove_descendants(db, *n);
        remove_node(db, *n);
    }
    finish(db);
    // No CPU may walk the tables or hold a translation through them any more before they are reused.
    const arch::CpuMask cpus{s.cpus.load(arch::MemoryOrder::seq_cst)};
    if (cpus.bits) arch::tlb_shootdown(cpus, s.asid, arch::TlbScope{arch::TlbScope::Kind::all, 0, 0});
    free_tables(*db.kmem, s);
    pd.quota.used -= std::uint64_t{s.paid_tables} * janus::abi::charge::page_table;
    s.tables = s.paid_tables = 0;
}

} // namespace kernel::mapdb
