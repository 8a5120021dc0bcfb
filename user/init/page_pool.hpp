// init's page allocator: hands out pages of its pool (the read-write memory with grant the kernel gives the
// root task: start word rdi, rsi bytes; docs/abi.md "At boot") front to back, each page once.
//
// The kernel zeroes the pool at boot and no page is handed out twice, so every page comes zeroed. Pages are
// never taken back: a component that ends loses its mappings (its domain goes), but init's own mappings of
// the frames stay, and a system boot starts each component once. Restarting components would need a free
// list here (and zeroing on reuse).
#pragma once

#include <cstdint>

namespace janus::init {

class PagePool {
public:
    static constexpr std::uint64_t page = 4096;

    PagePool() = default;
    /// The pool at `base` (page aligned) of `bytes` bytes; a partial last page is not used.
    PagePool(std::uint64_t base, std::uint64_t bytes) : next_(base), end_(base + (bytes & ~(page - 1))) {}

    /// `count` consecutive pages (count >= 1), or 0 when fewer are left.
    std::uint64_t take(std::uint64_t count) {
        if (count == 0 || count > (end_ - next_) / page) return 0;
        const std::uint64_t first = next_;
        next_ += count * page;
        return first;
    }

    std::uint64_t pages_left() const { return (end_ - next_) / page; }

private:
    std::uint64_t next_ = 0;
    std::uint64_t end_ = 0;
};

} // namespace janus::init
