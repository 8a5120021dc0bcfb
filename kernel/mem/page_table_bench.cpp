// Benchmark (not a test): map + unmap of 4 KiB pages through the kernel's page-table code with the kernel's
// memory policy (entries through arch::Atomic) and tables from the buddy allocator, on one host thread.
//
//   bench_pagetable [pairs]      default 1000000
//
// Prints map+unmap pairs per second. For instructions per operation run it under callgrind (valgrind
// --tool=callgrind, build with -gdwarf-4), subtract a run with pairs = 0 (set-up) and divide by 2 * pairs.
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "kernel/mem/testing/host_memory.hpp"
#include "kernel/mem/testing/page_table_fakes.hpp"

using namespace kernel::mem;
using namespace kernel::mem::testing;

int main(int argc, char** argv) {
    const unsigned long pairs = argc > 1 ? std::strtoul(argv[1], nullptr, 0) : 1000000;
    HostRam ram(1024);
    HostAtomicMemory memory{&ram};
    FrameTableAllocator tables{&ram.frames};
    RecordingCleanup cleanup; // 4 KiB unmaps inside a table retire no table; frames are the caller's
    auto created = PageTable<HostAtomicMemory, FrameTableAllocator, RecordingCleanup>::create(memory, tables);
    if (!created) return 1;
    auto pt = created.value();
    const VirtAddr base = 0xffff'c000'0000'0000;
    const Attributes rw{Rights{true, false, false}};
    bool ok = pt.map(base, 0x10'0000, 4096, PageSize::size_4k, rw, cleanup).ok(); // the path of tables exists

    const auto start = std::chrono::steady_clock::now();
    for (unsigned long i = 0; i < pairs; ++i) {
        const VirtAddr va = base + 4096 + (i % 511) * 4096;
        ok &= pt.map(va, 0x20'0000 + (i % 511) * 4096, 4096, PageSize::size_4k, rw, cleanup).ok();
        ok &= pt.unmap(va, 4096, cleanup).ok();
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!ok || !cleanup.tables.empty()) {
        std::printf("pagetable: FAILED\n");
        return 1;
    }
    std::printf("pagetable: map+unmap 4 KiB: %lu pairs in %.3f s = %.0f pairs/s (%.1f ns per operation)\n",
                pairs, seconds, seconds > 0 ? pairs / seconds : 0.0,
                pairs ? seconds * 1e9 / (2.0 * pairs) : 0.0);
    return 0;
}
