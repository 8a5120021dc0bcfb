// Thin wrappers over single x86 instructions: port I/O, MSRs, control registers, flags.
#pragma once

#include <cstdint>

namespace arch::x86 {

inline void outb(std::uint16_t port, std::uint8_t v) {
    asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
inline void outl(std::uint16_t port, std::uint32_t v) {
    asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}
inline std::uint8_t inb(std::uint16_t port) {
    std::uint8_t v;
    asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

inline std::uint64_t rdmsr(std::uint32_t msr) {
    std::uint32_t lo, hi;
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (std::uint64_t{hi} << 32) | lo;
}
inline void wrmsr(std::uint32_t msr, std::uint64_t v) {
    asm volatile("wrmsr"
                 :
                 : "c"(msr), "a"(static_cast<std::uint32_t>(v)), "d"(static_cast<std::uint32_t>(v >> 32)));
}

inline constexpr std::uint32_t msr_apic_base = 0x1b;
inline constexpr std::uint32_t msr_pat = 0x277;
inline constexpr std::uint32_t msr_efer = 0xc0000080;
inline constexpr std::uint32_t msr_star = 0xc0000081;
inline constexpr std::uint32_t msr_lstar = 0xc0000082;
inline constexpr std::uint32_t msr_cstar = 0xc0000083;
inline constexpr std::uint32_t msr_sfmask = 0xc0000084;
inline constexpr std::uint32_t msr_fs_base = 0xc0000100;
inline constexpr std::uint32_t msr_gs_base = 0xc0000101;
inline constexpr std::uint32_t msr_kernel_gs_base = 0xc0000102;

struct CpuidResult {
    std::uint32_t eax, ebx, ecx, edx;
};
inline CpuidResult cpuid(std::uint32_t leaf, std::uint32_t subleaf = 0) {
    CpuidResult r;
    asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
    return r;
}

inline std::uint64_t rdtsc() {
    std::uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (std::uint64_t{hi} << 32) | lo;
}

inline std::uint64_t read_cr0() {
    std::uint64_t v;
    asm volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}
inline void write_cr0(std::uint64_t v) {
    asm volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}
inline std::uint64_t read_cr4() {
    std::uint64_t v;
    asm volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}
inline void write_cr4(std::uint64_t v) {
    asm volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

/// Drop the translation of the page holding `va` (global ones too) and the paging-structure caches for it.
inline void invlpg(std::uint64_t va) {
    asm volatile("invlpg (%0)" : : "r"(va) : "memory");
}

inline std::uint64_t read_cr2() {
    std::uint64_t v;
    asm volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}
inline std::uint64_t read_cr3() {
    std::uint64_t v;
    asm volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}
inline void write_cr3(std::uint64_t v) {
    asm volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

inline std::uint64_t read_flags() {
    std::uint64_t f;
    asm volatile("pushfq; popq %0" : "=r"(f) : : "memory");
    return f;
}
inline constexpr std::uint64_t flags_if = 1u << 9;

[[noreturn]] inline void halt_forever() {
    for (;;) asm volatile("cli; hlt");
}

} // namespace arch::x86
