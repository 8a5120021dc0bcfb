// A TestKernel whose root domain owns a pool of boot memory, and an independent view of every domain's page
// table through hostsim's walker (hostsim/pagewalk.hpp, written from the Intel SDM, sharing no code with
// kernel/): the fixture of the mapdb.* tests (host only).
//
// Frames are plain numbers here: the kernel never touches the memory it maps for users, so the pool's
// physical addresses need no backing. Page-table pages are Kmem pages from host memory whose host address
// stands for their physical address (HostPages), so the walker reads them through that identity.
#pragma once

#include <cstdint>
#include <gtest/gtest.h>

#include "arch/pte.hpp"
#include "hostsim/pagewalk.hpp"
#include "kernel/check/check.hpp"
#include "kernel/mapdb/mapdb.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"
#include "kernel/syscall/testing/test_kernel.hpp"

namespace kernel::testing {

namespace mem_spec = janus::abi;

class MemWorld {
public:
    static constexpr std::uint64_t page = 4096;
    static constexpr std::uint64_t pool_va = mem_spec::root_mem::pool; ///< where boot puts the root's pool
    static constexpr std::uint64_t pool_pa = 0x0000'0100'0000'0000;    ///< frames: numbers, never touched
    static constexpr std::uint64_t rwxg =
        mem_spec::rights::read | mem_spec::rights::write | mem_spec::rights::exec | mem_spec::rights::grant;

    explicit MemWorld(std::uint64_t pool_pages = 1024, const Options& options = {}) : k(options) {
        EXPECT_EQ(grant_root_memory(k.kernel().mapdb, k.root(), pool_va, pool_pa, pool_pages, rwxg),
                  Error::ok);
    }

    TestKernel k;

    /// Flexpage of `order` at `va` with rights `r` (read/write/exec bits).
    static std::uint64_t fp(std::uint64_t va, unsigned order, std::uint64_t r) {
        return mem_spec::fpage::make(va, order, r);
    }

    /// What the MMU makes of `va` in `pd`'s address space.
    hostsim::PageWalk walk(const Pd& pd, std::uint64_t va) const {
        hostsim::PagingMode mode;
        mode.pat = arch::PteEncoding::pat_msr;
        auto read = [](std::uint64_t pa) { return *reinterpret_cast<const std::uint64_t*>(pa); };
        return hostsim::walk(read, pd.memory.top_phys, va, mode);
    }

    /// Empty if `va` of `pd` translates to `frame` with exactly these rights for user code; else why not.
    std::string mapped_as(const Pd& pd, std::uint64_t va, std::uint64_t frame, bool write, bool exec) const {
        hostsim::PageWalk w = walk(pd, va);
        if (w.outcome != hostsim::PageWalk::Outcome::mapped) return "not mapped";
        if (w.page_size != page) return "not a 4 KiB page";
        if (w.phys != frame) return "another frame";
        if (!w.user) return "not a user page";
        if (w.writable != write) return write ? "not writable" : "writable";
        if (w.executable != exec) return exec ? "not executable" : "executable";
        if (w.type != hostsim::MemoryType::wb) return "not write-back";
        return {};
    }
    bool unmapped(const Pd& pd, std::uint64_t va) const {
        return walk(pd, va).outcome == hostsim::PageWalk::Outcome::not_present;
    }

    std::uint64_t used(Pd& pd) { return pd.quota.used; }

    /// The invariant checker's verdict (empty when every invariant holds).
    std::string check() {
        CheckResult r = check_kernel(k.kernel());
        return r.ok ? std::string() : std::string(r.text);
    }
};

} // namespace kernel::testing
