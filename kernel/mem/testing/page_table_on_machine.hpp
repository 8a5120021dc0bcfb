// The kernel's page table on a simulated machine, as the explorer's page-table scenarios use it
// (page_table_sim_scenarios.cpp, page_table_lin_scenarios.cpp): the frame allocator over the machine's RAM,
// the KernelPageTable with its root, what each CPU retired during the run, hostsim's independent walk of the
// tables, and the teardown that proves every table page comes back. Test support, host only.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "hostsim/machine.hpp"
#include "hostsim/pagewalk.hpp"
#include "kernel/mem/frames.hpp"
#include "kernel/mem/kernel_page_table.hpp"

namespace kernel::mem::testing {

struct PageTableOnMachine {
    FrameAllocator frames;
    PhysWindowMemory memory;
    FrameTableAllocator tables{&frames};
    std::optional<KernelPageTable> table;
    std::uint64_t initial_free = 0;
    // Released after the run (the grace period). One list per CPU, each appended to only by its CPU: a list
    // shared by all would be harness state written by several CPUs without synchronisation (a TSan report).
    std::array<std::vector<RetiredBatch>, hostsim::max_sim_cpus> retired;

    /// On CPU 0 before the others start: frames from RAM above 1 MiB, and an empty table.
    void boot(hostsim::Machine& m, std::size_t ram_bytes) {
        m.run([&] {
            kernel::boot::MemoryMap map;
            map.regions[map.count++] = {1 << 20, ram_bytes - (1 << 20), kernel::boot::MemoryType::usable};
            m.check(init_frames(frames, map, {}).ok(), "init_frames");
            initial_free = frames.free_frames();
            auto created = KernelPageTable::create(memory, tables);
            if (m.check(created.ok(), "no root table")) table.emplace(created.value());
        });
    }

    /// What the MMU finds at `va`, read by hostsim's own walker, not the kernel's code.
    hostsim::PageWalk walk(hostsim::Machine& m, VirtAddr va) const {
        hostsim::PagingMode mode;
        mode.pat = arch::PteEncoding::pat_msr;
        return hostsim::walk([&m](std::uint64_t pa) { return hostsim::peek(m.ram() + pa); }, table->root(),
                             va, mode);
    }

    /// After the run, on the host: release what was retired, tear down, and see every frame come back.
    void teardown(hostsim::Machine& m) {
        for (std::vector<RetiredBatch>& per_cpu : retired)
            for (RetiredBatch& b : per_cpu) frames.release_batch(b);
        m.run([&] {
            DeferredCleanup last{&frames};
            finish(last, table->destroy(last));
        });
        m.check(frames.free_frames() == initial_free, "page-table pages leaked: %llu of %llu free",
                static_cast<unsigned long long>(frames.free_frames()),
                static_cast<unsigned long long>(initial_free));
        m.check(frames.check_invariants(), "frame allocator bookkeeping broken");
    }
};

} // namespace kernel::mem::testing
