// libFuzzer target for the page table (ctest pagetable.fuzz.pagetable in the fuzz preset): the input is a
// sequence of operations, run against the page table over fakes and against models/address_space as oracle
// (kernel/mem/testing/page_table_oracle.hpp: results, errors, flush reports, translations by lookup and by
// the independent walker, out-of-memory without trace, tree soundness).
//
// Input: 8 bytes per operation (a shorter tail is ignored).
//   [0] bits 0-1 operation (map, unmap, protect, lookup); bit 2 upper canonical half; bit 3 misalign the
//       virtual address by 2 KiB (an argument the kernel must refuse); bits 4-5 page size (0, 3: 4 KiB,
//       1: 2 MiB, 2: 1 GiB)
//   [1] which GiB (0-3), which 2 MiB in it (bits 2-7, 0-63)
//   [2] which 4 KiB page in the 2 MiB (0-255, doubled: even pages up to 510)
//   [3] pages (bits 0-3: 1-16); bits 4-7: for unmap/protect, a length in 2 MiB units instead (0 = use pages)
//   [4] rights (bit 0 write, 1 execute, 2 user), cache (bits 3-4), global (bit 5)
//   [5] frame: bit 7 clear: frame number 0-127 in page-size units; set: byte << 44, near the top of the
//       52-bit physical space (so ranges may run past it)
//   [6] fail the n-th allocation of the operation (0 = none)
//   [7] lookup: offset into the page
// A mismatch prints the operation's index and what differed, then traps: the input file is the reproducer
// (`fuzz_pagetable crash-<hash>`). JANUS_FUZZ_VERBOSE=1 prints each operation.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "kernel/mem/testing/page_table_oracle.hpp"

namespace {

using namespace kernel::mem;

constexpr std::uint64_t K4 = 4096, M2 = 2ull << 20, G1 = 1ull << 30;

bool verbose() {
    static const bool v = std::getenv("JANUS_FUZZ_VERBOSE") != nullptr;
    return v;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    testing::Oracle oracle(256, 6);
    models::AddressSpace model;
    for (std::size_t i = 0; i + 8 <= size; i += 8) {
        const std::uint8_t* b = data + i;
        const unsigned op = b[0] & 3;
        const PageSize page = (b[0] >> 4 & 3) == 1   ? PageSize::size_2m
                              : (b[0] >> 4 & 3) == 2 ? PageSize::size_1g
                                                     : PageSize::size_4k;
        const std::uint64_t step = bytes_of(page);
        const VirtAddr base = (b[0] & 4) ? 0xffff'ff80'0000'0000 : 0x0000'0040'0000'0000;
        VirtAddr va = base + (b[1] & 3) * G1 + (b[1] >> 2) * M2 + std::uint64_t{b[2]} * 2 * K4;
        if (op == 0) va &= ~(step - 1);
        if (b[0] & 8) va += 2048;
        const std::uint64_t pages = 1 + (b[3] & 15);
        const std::uint64_t length = (b[3] >> 4) ? (b[3] >> 4) * M2 : pages * K4;
        const Rights rights{bool(b[4] & 1), bool(b[4] & 2), bool(b[4] & 4)};
        const Cache cache = (b[4] >> 3 & 3) == 1   ? Cache::write_combining
                            : (b[4] >> 3 & 3) == 2 ? Cache::uncached
                                                   : Cache::write_back;
        const PhysAddr pa = (b[5] & 0x80) ? (std::uint64_t{b[5]} << 44) : std::uint64_t{b[5]} * step;
        const std::uint64_t fail_at = b[6] & 7;
        std::string r;
        switch (op) {
        case 0:
            if (verbose())
                std::fprintf(stderr, "%zu: map %#llx -> %#llx, %llu x %llu\n", i / 8, (unsigned long long)va,
                             (unsigned long long)pa, (unsigned long long)pages, (unsigned long long)step);
            r = oracle.map(model, va, pa, pages * step, page, Attributes{rights, cache, bool(b[4] & 32)},
                           fail_at);
            break;
        case 1:
            if (verbose())
                std::fprintf(stderr, "%zu: unmap %#llx + %#llx\n", i / 8, (unsigned long long)va,
                             (unsigned long long)length);
            r = oracle.unmap(model, va, length);
            break;
        case 2:
            if (verbose())
                std::fprintf(stderr, "%zu: protect %#llx + %#llx\n", i / 8, (unsigned long long)va,
                             (unsigned long long)length);
            r = oracle.protect(model, va, length, rights, fail_at);
            break;
        default:
            r = oracle.lookup(model, va + b[7] * 16);
            break;
        }
        if (!r.empty()) {
            std::fprintf(stderr, "pagetable_fuzz: operation %zu (bytes %zu..%zu): %s\n", i / 8, i, i + 7,
                         r.c_str());
            __builtin_trap();
        }
    }
    return 0;
}
