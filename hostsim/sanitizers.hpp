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
// Exported by the TSan runtime, not declared in clang 14's header.
extern "C" void __tsan_ignore_thread_begin();
extern "C" void __tsan_ignore_thread_end();
extern "C" void __tsan_read_range(void* addr, unsigned long size);
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
// --- hostsim's own work on a simulated CPU is invisible to TSan -----------------------------------------
//
// The runtime is compiled without TSan instrumentation, but TSan still sees what it does through the C
// library interceptors: malloc/free/operator new/delete, memcpy, memset, vsnprintf... A vector the machine
// grows on CPU 0's fiber and reallocates on CPU 1's, with no happens-before edge between the two CPUs (there
// must be none, or races between them would be hidden), is a "race" in operator delete. So wherever a
// simulated CPU enters the runtime — a scheduling point, a failure, the TLB model, console output — the
// runtime runs in TSan's ignore mode (__tsan_ignore_thread_begin/end: no memory accesses and no allocator
// events are recorded for this fiber; happens-before edges still are), and it leaves that mode again for
// every call back into simulated code (the kernel's interrupt handler). Kernel memory the runtime reads or
// writes on the kernel's behalf is announced explicitly (tsan_read_range) before ignoring starts.
//
// Ignore mode is TSan state per fiber; its depth is kept per simulated CPU (IgnoreDepth) and reached through
// tsan_context, which every switch points at the context it switches to (null on the host: host code runs
// between runs, ordered by the machine's own happens-before edges, and is never ignored).

struct IgnoreDepth {
    int depth = 0;
};
#if HOSTSIM_TSAN
inline thread_local IgnoreDepth* tsan_context = nullptr;
#endif

/// `sync` makes the switch a happens-before edge; switches between simulated CPUs never sync. `to_cpu` is the
/// ignore state of the simulated CPU switched to, null for the host.
inline void tsan_switch(void* f, bool sync, IgnoreDepth* to_cpu) {
#if HOSTSIM_TSAN
    tsan_context = to_cpu;
    __tsan_switch_to_fiber(f, sync ? 0 : __tsan_switch_to_fiber_no_sync);
#else
    (void)f, (void)sync, (void)to_cpu;
#endif
}

/// Scope of hostsim's own work on a simulated CPU (nests; a no-op on the host and without TSan).
class Bookkeeping {
public:
    Bookkeeping(const Bookkeeping&) = delete;
    Bookkeeping& operator=(const Bookkeeping&) = delete;
#if HOSTSIM_TSAN
    Bookkeeping() : ctx_(tsan_context) {
        if (ctx_ && ctx_->depth++ == 0) __tsan_ignore_thread_begin();
    }
    ~Bookkeeping() {
        if (ctx_ && --ctx_->depth == 0) __tsan_ignore_thread_end();
    }

private:
    IgnoreDepth* ctx_;
#else
    Bookkeeping() {} // user-provided: a scope object, not an unused variable
    ~Bookkeeping() {}
#endif
};

/// Scope of simulated code called from inside hostsim's work (the interrupt handler): TSan sees it again,
/// however deeply nested the Bookkeeping around it.
class SimulatedCode {
public:
    SimulatedCode(const SimulatedCode&) = delete;
    SimulatedCode& operator=(const SimulatedCode&) = delete;
#if HOSTSIM_TSAN
    SimulatedCode() : ctx_(tsan_context), saved_(ctx_ ? ctx_->depth : 0) {
        if (saved_) {
            ctx_->depth = 0;
            __tsan_ignore_thread_end();
        }
    }
    ~SimulatedCode() {
        if (saved_) {
            ctx_->depth = saved_;
            __tsan_ignore_thread_begin();
        }
    }

private:
    IgnoreDepth* ctx_;
    int saved_;
#else
    SimulatedCode() {}
    ~SimulatedCode() {}
#endif
};

/// Ends ignoring on a CPU that is abandoned mid-call (its TSan fiber is destroyed next: TSan requires no
/// ignore to be left open).
inline void tsan_abandon_bookkeeping() {
#if HOSTSIM_TSAN
    if (tsan_context && tsan_context->depth > 0) {
        tsan_context->depth = 0;
        __tsan_ignore_thread_end();
    }
#endif
}

/// Is hostsim's work being ignored on this fiber right now? (for tests of the annotations)
inline bool tsan_ignoring() {
#if HOSTSIM_TSAN
    return tsan_context && tsan_context->depth > 0;
#else
    return false;
#endif
}

/// Tells TSan that the executing CPU reads [p, p+n) (the runtime reading kernel memory for the kernel).
inline void tsan_read_range(const void* p, std::size_t n) {
#if HOSTSIM_TSAN
    __tsan_read_range(const_cast<void*>(p), n);
#else
    (void)p, (void)n;
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
