// Benchmark (not a test): map + unmap of 4 KiB pages through the kernel's page-table code with the kernel's
// memory policy (entries through arch::Atomic) and tables from the buddy allocator, on one host thread.
//
//   bench_pagetable [pairs]      default 1000000; 0 pairs measures only the set-up
//
// Prints map+unmap pairs per second, then instructions per operation: it runs a debug-stripped copy of itself
// (bench_pagetable.stripped, made at build time: valgrind 3.19 cannot read clang's DWARF 5) under callgrind
// for 2,000 and 4,000 pairs and divides the difference, so set-up cancels out. Instruction counts repeat
// exactly from run to run; wall-clock figures do not. Without valgrind that line says so.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "kernel/mem/testing/host_memory.hpp"
#include "kernel/mem/testing/page_table_fakes.hpp"

using namespace kernel::mem;
using namespace kernel::mem::testing;

namespace {

// Runs `pairs` map+unmap pairs; false if any operation failed.
bool run_pairs(unsigned long pairs, double& seconds) {
    HostRam ram(1024);
    HostAtomicMemory memory{&ram};
    FrameTableAllocator tables{&ram.frames};
    RecordingCleanup cleanup; // 4 KiB unmaps inside a table retire no table; frames are the caller's
    auto created = PageTable<HostAtomicMemory, FrameTableAllocator, RecordingCleanup>::create(memory, tables);
    if (!created) return false;
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
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return ok && cleanup.tables.empty();
}

// Instructions callgrind counts for `pairs` pairs in the stripped copy, or -1.
long long callgrind_instructions(const std::string& stripped, unsigned long pairs) {
    std::string cmd = "valgrind --tool=callgrind --callgrind-out-file=/dev/null '" + stripped + "' " +
                      std::to_string(pairs) + " 2>&1";
    std::FILE* p = popen(cmd.c_str(), "r");
    if (!p) return -1;
    long long total = -1;
    char line[512];
    while (std::fgets(line, sizeof line, p)) {
        std::string s(line);
        auto at = s.find("Collected :");
        if (at != std::string::npos) total = std::atoll(s.c_str() + at + 11);
    }
    return pclose(p) == 0 ? total : -1;
}

} // namespace

int main(int argc, char** argv) {
    const unsigned long pairs = argc > 1 ? std::strtoul(argv[1], nullptr, 0) : 1000000;
    double seconds = 0;
    if (!run_pairs(pairs, seconds)) {
        std::printf("pagetable: FAILED\n");
        return 1;
    }
    std::printf("pagetable: map+unmap 4 KiB: %lu pairs in %.3f s = %.0f pairs/s (%.1f ns per operation)\n",
                pairs, seconds, seconds > 0 ? static_cast<double>(pairs) / seconds : 0.0,
                pairs ? seconds * 1e9 / (2.0 * static_cast<double>(pairs)) : 0.0);
    if (argc > 1) return 0; // an explicit count: the caller measures (or this is the callgrind child)

    const std::string stripped = std::string(argv[0]) + ".stripped";
    const long long a = callgrind_instructions(stripped, 2000), b = callgrind_instructions(stripped, 4000);
    if (a < 0 || b < 0 || b <= a) {
        std::printf("pagetable: instructions per operation: not measured (needs valgrind and %s)\n",
                    stripped.c_str());
        return 0;
    }
    std::printf("pagetable: %.0f instructions per 4 KiB map or unmap (callgrind, map+unmap pair = %.0f)\n",
                static_cast<double>(b - a) / 4000.0, static_cast<double>(b - a) / 2000.0);
    return 0;
}
