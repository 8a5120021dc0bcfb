// Where the kernel-object allocator (Kmem) gets whole pages from: the frame allocator on a machine, a host
// buffer in tests. An interface, so tests can inject exhaustion and count what was never given back.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel/abi/abi.hpp"

namespace kernel {

class PageSource {
public:
    static constexpr std::size_t page_bytes = janus::abi::page_bytes;

    /// A page_bytes-aligned page the kernel can address, contents undefined; nullptr when none is left.
    virtual void* take_page() = 0;
    /// Gives back a page that take_page() returned.
    virtual void give_page(void* page) = 0;
    /// The physical address of a page from take_page(), as page-table entries name it (kernel/mapdb puts
    /// page-table pages and UTCBs into user address spaces), and back.
    virtual std::uint64_t physical(const void* page) const = 0;
    virtual void* at_physical(std::uint64_t physical) const = 0;

protected:
    ~PageSource() = default;
};

} // namespace kernel
