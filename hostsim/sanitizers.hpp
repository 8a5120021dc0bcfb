// Sanitizer annotations for hostsim's fibers and memory operations; each is a no-op when its sanitizer is
// off.
//
// ThreadSanitizer: every simulated CPU is a TSan fiber and a switch between CPUs is announced with
// `no_sync`, so TSan sees the CPUs as unsynchronised threads and reports races outside the contract's
// atomics. The happens-before edges that the contract's acquire/release operations create are given to TSan
// explicitly (tsan_acquire/tsan_release on the atomic's address), because hostsim's own code is not
// instrumented (hostsim/CMakeLists.txt) and performs the memory operations itself.
//
// AddressSanitizer: stack switches are announced so that ASan knows which stack is live.
#pragma once

#include <cstddef>

// hostsim's runtime is compiled without TSan instrumentation, so __has_feature cannot tell; CMake defines
// HOSTSIM_TSAN=1 for the whole library in TSan builds.
#if defined(__has_feature)
#if __has_feature(thread_sanitizer) && !defined(HOSTSIM_TSAN)
#define HOSTSIM_TSAN 1
#endif
#if __has_feature(address_sanitizer)
#define HOSTSIM_ASAN 1
#endif
#endif
#ifndef HOSTSIM_TSAN
#define HOSTSIM_TSAN 0
#endif
#ifndef HOSTSIM_ASAN
#define HOSTSIM_ASAN 0
#endif

#if HOSTSIM_TSAN
#include <sanitizer/tsan_interface.h>
#endif
#if HOSTSIM_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

namespace hostsim::san {

inline constexpr bool tsan = HOSTSIM_TSAN;

inline void* tsan_current_fiber() {
#if HOSTSIM_TSAN
    return __tsan_get_current_fiber();
#else
    return nullptr;
#endif
}
inline void* tsan_create_fiber() {
#if HOSTSIM_TSAN
    return __tsan_create_fiber(0);
#else
    return nullptr;
#endif
}
inline void tsan_destroy_fiber(void* f) {
#if HOSTSIM_TSAN
    if (f) __tsan_destroy_fiber(f);
#else
    (void)f;
#endif
}
/// `sync` makes the switch a happens-before edge; switches between simulated CPUs never sync.
inline void tsan_switch(void* f, bool sync) {
#if HOSTSIM_TSAN
    __tsan_switch_to_fiber(f, sync ? 0 : __tsan_switch_to_fiber_no_sync);
#else
    (void)f, (void)sync;
#endif
}
inline void tsan_acquire(const volatile void* addr) {
#if HOSTSIM_TSAN
    __tsan_acquire(const_cast<void*>(addr));
#else
    (void)addr;
#endif
}
inline void tsan_release(const volatile void* addr) {
#if HOSTSIM_TSAN
    __tsan_release(const_cast<void*>(addr));
#else
    (void)addr;
#endif
}

/// Before leaving a stack for `bottom`/`size`; `save` is null when the current stack is left for good.
inline void asan_start_switch(void** save, const void* bottom, std::size_t size) {
#if HOSTSIM_ASAN
    __sanitizer_start_switch_fiber(save, bottom, size);
#else
    (void)save, (void)bottom, (void)size;
#endif
}
/// After arriving on a stack; reports the stack just left.
inline void asan_finish_switch(void* save, const void** old_bottom, std::size_t* old_size) {
#if HOSTSIM_ASAN
    __sanitizer_finish_switch_fiber(save, old_bottom, old_size);
#else
    (void)save, (void)old_bottom, (void)old_size;
#endif
}
/// A stack abandoned mid-call keeps the poisoned redzones of its frames; clear them before reuse.
inline void asan_unpoison(void* p, std::size_t n) {
#if HOSTSIM_ASAN
    __asan_unpoison_memory_region(p, n);
#else
    (void)p, (void)n;
#endif
}

} // namespace hostsim::san
