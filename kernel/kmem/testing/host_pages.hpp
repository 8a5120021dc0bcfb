// A PageSource over host memory for tests (never in the kernel): every page is a separate aligned_alloc
// block, filled with a pattern so code relying on fresh memory being zero fails; a limit injects exhaustion;
// outstanding() tells whether the kernel gave every page back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <set>

#include "kernel/kmem/page_source.hpp"

namespace kernel::testing {

class HostPages final : public PageSource {
public:
    explicit HostPages(std::size_t limit = std::numeric_limits<std::size_t>::max()) : limit_(limit) {}
    ~HostPages() {
        for (void* p : pages_) std::free(p);
    }
    HostPages(const HostPages&) = delete;
    HostPages& operator=(const HostPages&) = delete;

    void* take_page() override {
        if (pages_.size() >= limit_) return nullptr;
        void* p = std::aligned_alloc(page_bytes, page_bytes);
        if (!p) return nullptr;
        std::memset(p, 0xa5, page_bytes);
        pages_.insert(p);
        ++taken_;
        return p;
    }

    void give_page(void* page) override {
        if (pages_.erase(page) != 1) {
            ++bad_gives_;
            return;
        }
        std::free(page);
    }

    /// Host memory has no physical addresses: a page's host address stands for one (page tables in tests
    /// then point at host memory, and hostsim's walker reads it through the same identity).
    std::uint64_t physical(const void* page) const override { return reinterpret_cast<std::uintptr_t>(page); }
    void* at_physical(std::uint64_t physical) const override {
        return reinterpret_cast<void*>(static_cast<std::uintptr_t>(physical));
    }

    /// Pages taken and not given back.
    std::size_t outstanding() const { return pages_.size(); }
    std::size_t taken() const { return taken_; }
    /// give_page() calls for pages this source never handed out (must stay 0).
    std::size_t bad_gives() const { return bad_gives_; }
    /// At most `limit` pages outstanding from now on.
    void set_limit(std::size_t limit) { limit_ = limit; }

private:
    std::size_t limit_;
    std::set<void*> pages_;
    std::size_t taken_ = 0;
    std::size_t bad_gives_ = 0;
};

} // namespace kernel::testing
