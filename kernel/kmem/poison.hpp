// AddressSanitizer annotations for memory the kernel recycles itself (slab chunks): a freed object is
// poisoned, so a dangling pointer into it is reported in host builds. No-ops everywhere else.
#pragma once

#include <cstddef>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JANUS_ASAN 1
#endif
#endif

#if JANUS_HOSTED && defined(JANUS_ASAN)
extern "C" void __asan_poison_memory_region(void const volatile* addr, std::size_t size);
extern "C" void __asan_unpoison_memory_region(void const volatile* addr, std::size_t size);
#endif

namespace kernel {

inline void poison(const void* p, std::size_t n) {
#if JANUS_HOSTED && defined(JANUS_ASAN)
    __asan_poison_memory_region(p, n);
#else
    (void)p, (void)n;
#endif
}

inline void unpoison(const void* p, std::size_t n) {
#if JANUS_HOSTED && defined(JANUS_ASAN)
    __asan_unpoison_memory_region(p, n);
#else
    (void)p, (void)n;
#endif
}

} // namespace kernel
