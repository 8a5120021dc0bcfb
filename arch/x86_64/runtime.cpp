// What the compiler expects from a C/C++ runtime in a freestanding kernel: the four memory functions it may
// call for copies and clears of objects, pure-virtual and static-destructor hooks, and running the static
// constructors listed in .init_array (kernel.ld collects them).
#include <cstddef>
#include <cstdint>

#include "arch/x86_64/runtime.hpp"
#include "kernel/panic.hpp"

extern "C" {

// Eight bytes per iteration, then the rest byte by byte: the kernel copies register frames (160 bytes) on
// every kernel entry, and a rep-prefixed instruction costs one step per iteration wherever iterations are
// counted (QEMU -icount, the benchmark's figures) and on CPUs without fast short `rep movsb`.
void* memcpy(void* dst, const void* src, std::size_t n) {
    void* d = dst;
    std::size_t words = n / 8, rest = n % 8;
    asm volatile("rep movsq" : "+D"(d), "+S"(src), "+c"(words) : : "memory");
    asm volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(rest) : : "memory");
    return dst;
}

void* memset(void* dst, int value, std::size_t n) {
    void* d = dst;
    std::size_t words = n / 8, rest = n % 8;
    std::uint64_t pattern = 0x0101'0101'0101'0101ull * static_cast<unsigned char>(value);
    asm volatile("rep stosq" : "+D"(d), "+c"(words) : "a"(pattern) : "memory");
    asm volatile("rep stosb" : "+D"(d), "+c"(rest) : "a"(pattern) : "memory");
    return dst;
}

void* memmove(void* dst, const void* src, std::size_t n) {
    auto d = reinterpret_cast<std::uintptr_t>(dst), s = reinterpret_cast<std::uintptr_t>(src);
    if (d <= s || d >= s + n) return memcpy(dst, src, n);
    // Overlapping with dst above src: copy backwards, from the last byte down.
    void* dl = static_cast<char*>(dst) + n - 1;
    const void* sl = static_cast<const char*>(src) + n - 1;
    asm volatile("std; rep movsb; cld" : "+D"(dl), "+S"(sl), "+c"(n) : : "memory");
    return dst;
}

int memcmp(const void* a, const void* b, std::size_t n) {
    auto* x = static_cast<const unsigned char*>(a);
    auto* y = static_cast<const unsigned char*>(b);
    for (std::size_t i = 0; i < n; ++i)
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
}

[[noreturn]] void __cxa_pure_virtual() {
    kernel::panic("pure virtual function called");
}

// The kernel never exits, so static destructors never need to run.
int __cxa_atexit(void (*)(void*), void*, void*) {
    return 0;
}
void* __dso_handle = nullptr;

using Constructor = void (*)();
extern const Constructor __init_array_start[];
extern const Constructor __init_array_end[];
}

namespace arch::x86 {

void run_static_constructors() {
    for (const Constructor* c = __init_array_start; c != __init_array_end; ++c) (*c)();
}

} // namespace arch::x86
