#include "hostsim/stack.hpp"

#include <cstdio>
#include <cstdlib>
#include <sys/mman.h>
#include <utility>

namespace hostsim {

namespace {
constexpr std::size_t guard = 4096;
}

Stack::Stack(std::size_t size) : size_(size) {
    mapping_ = mmap(nullptr, size + guard, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mapping_ == MAP_FAILED) {
        std::perror("hostsim: stack mmap");
        std::abort();
    }
    mprotect(mapping_, guard, PROT_NONE); // an overflow faults instead of corrupting a neighbour
    bottom_ = static_cast<char*>(mapping_) + guard;
}

Stack::~Stack() {
    if (mapping_) munmap(mapping_, size_ + guard);
}

} // namespace hostsim
