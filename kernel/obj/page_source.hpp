// Where the kernel-object allocator (Kmem) gets whole pages from: the frame allocator on a machine, a host
// buffer in tests. An interface, so tests can inject exhaustion and count what was never given back.
#pragma once

#include <cstddef>

namespace kernel {

class PageSource {
public:
    static constexpr std::size_t page_bytes = 4096;

    /// A page_bytes-aligned page the kernel can address, contents undefined; nullptr when none is left.
    virtual void* take_page() = 0;
    /// Gives back a page that take_page() returned.
    virtual void give_page(void* page) = 0;

protected:
    ~PageSource() = default;
};

} // namespace kernel
