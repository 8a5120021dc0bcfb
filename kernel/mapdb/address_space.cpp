// The object layer's hooks into the memory side (kernel/mapdb): a new domain's top-level table, a dying
// thread's UTCB, a dying domain's address space, and the run loop entering a space.
#include "kernel/mapdb/address_space.hpp"

#include "kernel/mapdb/derivation.hpp"
#include "kernel/mapdb/space.hpp"
#include "kernel/obj/kernel.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"

namespace kernel {

using namespace mapdb;

void address_space_init(Kernel& kernel, Pd& pd, void* top_level) {
    auto* entries = static_cast<std::uint64_t*>(top_level);
    for (unsigned i = 0; i < 512; ++i) entries[i] = 0;
    AddressSpace& s = pd.memory;
    s.top_level = top_level;
    s.top_phys = kernel.kmem.physical(top_level);
    arch::prepare_user_top_table(s.top_phys);
    auto& last = kernel.mapdb.last_asid;
    last = static_cast<arch::AddressSpaceId>(last == 0xffff ? 1 : last + 1);
    s.asid = last;
}

arch::AddressSpaceRoot address_space_enter(Pd& pd, arch::CpuId cpu) {
    pd.memory.cpus.fetch_or(std::uint64_t{1} << cpu, arch::MemoryOrder::seq_cst);
    return arch::AddressSpaceRoot{pd.memory.top_phys, pd.memory.asid};
}

void address_space_thread_dying(Thread& t) {
    Pd& pd = *t.pd;
    if (pd.doomed) return; // the domain's teardown takes the UTCB with everything else
    Kernel& kernel = *pd.kernel;
    Node* n = pd.memory.index.find(t.utcb);
    if (!n || !n->utcb()) return;
    remove_node(kernel, *n);
    finish(kernel); // before the UTCB page is freed
}

namespace {

/// Frees every page-table page below the top level (entries 0..255 of the top table are the user half).
void free_tables(Kernel& kernel, AddressSpace& s) {
    using E = mem::X86Encoding;
    const KmemTableMemory memory{&kernel.kmem};
    auto free_table = [&](PhysAddr table) {
        kernel.kmem.release(kernel.kmem.at_physical(table), Kmem::page_bytes);
    };
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

void address_space_teardown(Pd& pd) {
    Kernel& kernel = *pd.kernel;
    AddressSpace& s = pd.memory;
    while (Node* n = s.index.root) {
        remove_descendants(kernel, *n);
        remove_node(kernel, *n);
    }
    finish(kernel);
    // No CPU may walk the tables or hold a translation through them any more before they are reused.
    const arch::CpuMask cpus{s.cpus.load(arch::MemoryOrder::seq_cst)};
    if (cpus.bits) arch::tlb_shootdown(cpus, s.asid, arch::TlbScope{arch::TlbScope::Kind::all, 0, 0});
    free_tables(kernel, s);
    pd.quota.used -= std::uint64_t{s.paid_tables} * janus::abi::charge::page_table;
    s.tables = s.paid_tables = 0;
}

} // namespace kernel
