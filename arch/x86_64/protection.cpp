#include "arch/x86_64/protection.hpp"

#include <cstdint>

#include "arch/x86_64/cpu_ops.hpp"

namespace arch::x86 {

namespace {

constexpr std::uint64_t cr4_tsd = 1u << 2, cr4_umip = 1u << 11, cr4_fsgsbase = 1u << 16, cr4_smep = 1u << 20,
                        cr4_smap = 1u << 21;
constexpr std::uint64_t cr0_wp = 1u << 16;
constexpr std::uint64_t efer_nxe = 1u << 11; // set by boot/entry.S where the CPU has NX
// CPUID leaf 7, subleaf 0.
constexpr std::uint32_t ebx_fsgsbase = 1u << 0, ebx_smep = 1u << 7, ebx_smap = 1u << 20, ecx_umip = 1u << 2;

} // namespace

Protection enabled_protection{};

Protection enable_protection() {
    Protection p{};
    if (cpuid(0).eax >= 7) {
        CpuidResult leaf7 = cpuid(7, 0);
        p.smep = leaf7.ebx & ebx_smep;
        p.smap = leaf7.ebx & ebx_smap;
        p.umip = leaf7.ecx & ecx_umip;
        p.fsgsbase = leaf7.ebx & ebx_fsgsbase;
    }
    // The kernel's read-only pages are read-only for the kernel too (boot/entry.S sets WP already; a loader
    // that cleared it must not leave it so).
    write_cr0(read_cr0() | cr0_wp);
    p.wp = read_cr0() & cr0_wp;
    p.nx = rdmsr(msr_efer) & efer_nxe;
    std::uint64_t cr4 = read_cr4() & ~cr4_tsd;
    if (p.smep) cr4 |= cr4_smep;
    if (p.smap) cr4 |= cr4_smap;
    if (p.umip) cr4 |= cr4_umip;
    if (p.fsgsbase) cr4 |= cr4_fsgsbase;
    write_cr4(cr4);
    enabled_protection = p;
    return p;
}

} // namespace arch::x86
