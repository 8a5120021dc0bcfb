// The policies a domain's address space instantiates kernel/mem's PageTable with.
//
//  * Memory: entries accessed atomically in place (as the kernel's own PhysWindowMemory does), reached
//  through
//    Kmem's page source, which knows the physical address of every page it handed out (the physical-memory
//    window on a machine; the identity on host memory in tests).
//  * Allocator: page-table pages come from a TableReserve that the operation filled from Kmem, and charged,
//    before it changed anything; so the page table itself never runs out of memory halfway.
//  * Cleanup: user frames are never the kernel's to free (they belong to whoever gave them to the root),
//    and tables are never detached while the domain lives (unmaps are per 4 KiB page, which never covers a
//    whole table): nothing is retired. The domain's teardown frees the tables itself after its shootdown.
#pragma once

#include <cstdint>
#include <optional>

#include "arch/atomic.hpp"
#include "kernel/kmem/kmem.hpp"
#include "kernel/mem/page_table.hpp"

namespace kernel::mapdb {

using mem::PhysAddr;

struct KmemTableMemory {
    using Entry = std::uint64_t;
    const Kmem* kmem;

    arch::Atomic<Entry>& slot(PhysAddr table, unsigned i) const {
        return static_cast<arch::Atomic<Entry>*>(kmem->at_physical(table))[i];
    }
    Entry load(PhysAddr table, unsigned i) const { return slot(table, i).load(arch::MemoryOrder::acquire); }
    bool compare_exchange(PhysAddr table, unsigned i, Entry& expected, Entry desired) {
        return slot(table, i).compare_exchange(expected, desired, arch::MemoryOrder::acq_rel);
    }
    Entry fetch_or(PhysAddr table, unsigned i, Entry bits) {
        return slot(table, i).fetch_or(bits, arch::MemoryOrder::acq_rel);
    }
    /// The table is not reachable yet; the CAS that publishes it orders these stores before it.
    void initialise(PhysAddr table, unsigned i, Entry value) {
        static_cast<Entry*>(kmem->at_physical(table))[i] = value;
    }
};

/// Kmem pages taken ahead of an update, linked through their first word.
class TableReserve {
public:
    explicit TableReserve(Kmem& kmem) : kmem_(&kmem) {}
    TableReserve(const TableReserve&) = delete;
    TableReserve& operator=(const TableReserve&) = delete;
    ~TableReserve() { release(); }

    /// Adds `count` pages; false (and none of them kept) if Kmem runs out.
    bool fill(unsigned count) {
        for (unsigned i = 0; i < count; ++i) {
            void* page = kmem_->allocate(Kmem::page_bytes);
            if (!page) {
                for (; i > 0; --i) kmem_->release(pop(), Kmem::page_bytes);
                return false;
            }
            push(page);
        }
        return true;
    }
    /// Gives every page left back to Kmem.
    void release() {
        while (head_) kmem_->release(pop(), Kmem::page_bytes);
    }
    unsigned taken() const { return taken_; }

    // The PageTable allocator policy.
    std::optional<PhysAddr> allocate_table() {
        if (!head_) return std::nullopt;
        ++taken_;
        return kmem_->physical(pop());
    }
    void free_unpublished_table(PhysAddr table) {
        --taken_;
        push(kmem_->at_physical(table));
    }

private:
    void push(void* page) {
        *static_cast<void**>(page) = head_;
        head_ = page;
    }
    void* pop() {
        void* page = head_;
        head_ = *static_cast<void**>(page);
        return page;
    }

    Kmem* kmem_;
    void* head_ = nullptr;
    unsigned taken_ = 0; ///< pages published as tables
};

/// Nothing to retire while a domain lives (see above); `unexpected` counts what should never come.
struct NoRetire {
    unsigned unexpected = 0;
    void retire_table(PhysAddr) { ++unexpected; }
    void retire_frame(PhysAddr, mem::PageSize) {}
};

using UserPageTable = mem::PageTable<KmemTableMemory, TableReserve, NoRetire>;

} // namespace kernel::mapdb
