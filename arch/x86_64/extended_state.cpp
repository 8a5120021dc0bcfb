// arch::extended_state_* on x86-64: the x87/SSE/AVX registers of user threads, switched eagerly.
//
// The format is chosen once at boot (init_extended_state) from what the CPU offers, best first:
//   XSAVES/XRSTORS  compacted, with the init and modified optimisations (IA32_XSS = 0: user components only)
//   XSAVEOPT/XRSTOR standard format, skips components unchanged since the last XRSTOR of the same area
//   XSAVE/XRSTOR    standard format
//   FXSAVE/FXRSTOR  the legacy 512 bytes: x87 and SSE only (no XCR0, so AVX instructions raise #UD)
// XCR0 enables x87, SSE, AVX and AVX-512 where offered, and only what fits arch::extended_state_bytes; never
// AMX (its tile data alone exceeds the page) or components the kernel would have to manage (MPX, PKRU).
//
// The kernel never uses these registers itself (it is built without SSE), so between a load and the save
// after that thread's run they hold the thread's state. 64-bit forms throughout (FXSAVE64/XSAVE64...), so the
// x87 instruction and data pointers are saved whole.
#include "arch/x86_64/extended_state.hpp"

#include <cstring>

#include "arch/user.hpp"
#include "arch/x86_64/cpu_ops.hpp"
#include "kernel/panic.hpp"

namespace arch {

namespace x86 {

namespace {

constexpr std::uint64_t cr0_mp = 1u << 1, cr0_em = 1u << 2, cr0_ts = 1u << 3, cr0_ne = 1u << 5;
constexpr std::uint64_t cr4_osfxsr = 1u << 9, cr4_osxmmexcpt = 1u << 10, cr4_osxsave = 1u << 18;
constexpr std::uint32_t ecx_xsave = 1u << 26;                 // CPUID.1:ECX
constexpr std::uint32_t edx_fxsr = 1u << 24;                  // CPUID.1:EDX
constexpr std::uint32_t xsaveopt = 1u << 0, xsaves = 1u << 3; // CPUID.(0xD,1):EAX
constexpr std::uint32_t xsave_error_pointers = 1u << 2;       // CPUID.0x80000008:EBX (AMD "XSaveErPtr")
constexpr std::uint32_t msr_xss = 0xda0;

// XCR0 state components (Intel SDM vol. 1, 13.1).
constexpr std::uint64_t x87 = 1u << 0, sse = 1u << 1, avx = 1u << 2, opmask = 1u << 5, zmm_hi256 = 1u << 6,
                        hi16_zmm = 1u << 7;
constexpr std::uint64_t avx512 = opmask | zmm_hi256 | hi16_zmm;

// Offsets in the legacy region and the XSAVE header (SDM vol. 1, 10.5.1 and 13.4).
constexpr std::size_t fcw_offset = 0, mxcsr_offset = 24, header_offset = 512, xcomp_bv_offset = 520;
constexpr std::uint16_t initial_fcw = 0x37f;
constexpr std::uint32_t initial_mxcsr = 0x1f80;
constexpr std::uint64_t xcomp_compacted = 1ull << 63;

ExtendedFormat format{};

void xsetbv(std::uint32_t index, std::uint64_t value) {
    asm volatile("xsetbv"
                 :
                 : "c"(index), "a"(static_cast<std::uint32_t>(value)),
                   "d"(static_cast<std::uint32_t>(value >> 32)));
}

/// AMD CPUs without XSaveErPtr save the x87 FIP/FDP/FOP only while an x87 exception is pending, so a restore
/// leaves the previous thread's pointers in place for the next one to read with FNSTENV. Overwrite them with
/// a harmless load first (the restore then replaces the register it touched).
void clear_x87_pointers() {
    static const std::uint32_t zero = 0;
    asm volatile("fnclex\n\t"
                 "emms\n\t"
                 "fildl %0"
                 :
                 : "m"(zero));
}

std::uint32_t low(std::uint64_t v) {
    return static_cast<std::uint32_t>(v);
}
std::uint32_t high(std::uint64_t v) {
    return static_cast<std::uint32_t>(v >> 32);
}

} // namespace

const ExtendedFormat& init_extended_state() {
    CpuidResult leaf1 = cpuid(1);
    if (!(leaf1.edx & edx_fxsr)) kernel::panic("cpu: no FXSAVE (CPUID.1:EDX[24]); no x86-64 CPU lacks it");
    write_cr0((read_cr0() & ~(cr0_em | cr0_ts)) | cr0_mp | cr0_ne);
    std::uint64_t cr4 = read_cr4() | cr4_osfxsr | cr4_osxmmexcpt;
    format = {ExtendedFormat::Instructions::fxsave, x87 | sse, 512, false};
    if (leaf1.ecx & ecx_xsave) {
        write_cr4(cr4 | cr4_osxsave);
        CpuidResult d0 = cpuid(0xd, 0);
        std::uint64_t offered = (std::uint64_t{d0.edx} << 32) | d0.eax;
        std::uint64_t xcr0 = offered & (x87 | sse | avx | avx512);
        if ((xcr0 & avx512) != avx512 || !(xcr0 & avx)) xcr0 &= ~avx512; // AVX-512 needs all three and AVX
        // Largest standard-format area for these components: leaf 0xD, subleaf 0 EBX with XCR0 set.
        xsetbv(0, xcr0);
        if (cpuid(0xd, 0).ebx > extended_state_bytes && (xcr0 & avx512)) {
            xcr0 &= ~avx512;
            xsetbv(0, xcr0);
        }
        std::uint32_t size = cpuid(0xd, 0).ebx;
        if (size > extended_state_bytes)
            kernel::panic("cpu: the XSAVE area of ", size, " bytes exceeds a page");
        CpuidResult d1 = cpuid(0xd, 1);
        format.components = xcr0;
        format.bytes = size;
        if (d1.eax & xsaves) {
            wrmsr(msr_xss, 0); // no supervisor components
            format.instructions = ExtendedFormat::Instructions::xsaves;
            format.bytes = cpuid(0xd, 1).ebx; // the compacted size of XCR0 | XSS
        } else if (d1.eax & xsaveopt) {
            format.instructions = ExtendedFormat::Instructions::xsaveopt;
        } else {
            format.instructions = ExtendedFormat::Instructions::xsave;
        }
    } else {
        write_cr4(cr4 & ~cr4_osxsave);
    }
    CpuidResult vendor = cpuid(0);
    bool amd =
        vendor.ebx == 0x6874'7541 && vendor.edx == 0x6974'6e65 && vendor.ecx == 0x444d'4163; // AuthenticAMD
    format.clear_x87_pointers =
        amd && !(cpuid(0x8000'0000).eax >= 0x8000'0008 && (cpuid(0x8000'0008).ebx & xsave_error_pointers));
    return format;
}

void enable_extended_state_on_this_cpu() {
    write_cr0((read_cr0() & ~(cr0_em | cr0_ts)) | cr0_mp | cr0_ne);
    std::uint64_t cr4 = read_cr4() | cr4_osfxsr | cr4_osxmmexcpt;
    if (format.instructions == ExtendedFormat::Instructions::fxsave) {
        write_cr4(cr4 & ~cr4_osxsave);
        return;
    }
    write_cr4(cr4 | cr4_osxsave);
    xsetbv(0, format.components);
    if (format.instructions == ExtendedFormat::Instructions::xsaves) wrmsr(msr_xss, 0);
}

const ExtendedFormat& extended_format() {
    return format;
}

const char* name(ExtendedFormat::Instructions i) {
    switch (i) {
    case ExtendedFormat::Instructions::fxsave:
        return "FXSAVE";
    case ExtendedFormat::Instructions::xsave:
        return "XSAVE";
    case ExtendedFormat::Instructions::xsaveopt:
        return "XSAVEOPT";
    case ExtendedFormat::Instructions::xsaves:
        return "XSAVES";
    }
    return "?";
}

} // namespace x86

void extended_state_init(ExtendedState& state) {
    using x86::format;
    std::memset(state.bytes, 0, sizeof state.bytes);
    // An all-zero XSAVE header (XSTATE_BV = 0) loads every component's initial state; the legacy region's
    // MXCSR is loaded all the same (SDM vol. 1, 13.8), and FXRSTOR reads every field: both get the reset
    // values.
    std::uint16_t fcw = x86::initial_fcw;
    std::uint32_t mxcsr = x86::initial_mxcsr;
    std::memcpy(state.bytes + x86::fcw_offset, &fcw, sizeof fcw);
    std::memcpy(state.bytes + x86::mxcsr_offset, &mxcsr, sizeof mxcsr);
    if (format.instructions == x86::ExtendedFormat::Instructions::xsaves) {
        std::uint64_t xcomp = x86::xcomp_compacted | format.components;
        std::memcpy(state.bytes + x86::xcomp_bv_offset, &xcomp, sizeof xcomp);
    }
    static_assert(x86::header_offset + 64 <= extended_state_bytes);
}

void extended_state_load(const ExtendedState& state) {
    using x86::format;
    using I = x86::ExtendedFormat::Instructions;
    if (format.clear_x87_pointers) x86::clear_x87_pointers();
    const std::uint64_t all = ~std::uint64_t{0};
    switch (format.instructions) {
    case I::fxsave:
        asm volatile("fxrstor64 %0" : : "m"(state.bytes));
        break;
    case I::xsave:
    case I::xsaveopt:
        asm volatile("xrstor64 %0" : : "m"(state.bytes), "a"(x86::low(all)), "d"(x86::high(all)));
        break;
    case I::xsaves:
        asm volatile("xrstors64 %0" : : "m"(state.bytes), "a"(x86::low(all)), "d"(x86::high(all)));
        break;
    }
}

void extended_state_save(ExtendedState& state) {
    using x86::format;
    using I = x86::ExtendedFormat::Instructions;
    const std::uint64_t all = ~std::uint64_t{0};
    switch (format.instructions) {
    case I::fxsave:
        asm volatile("fxsave64 %0" : "=m"(state.bytes));
        break;
    case I::xsave:
        asm volatile("xsave64 %0" : "+m"(state.bytes) : "a"(x86::low(all)), "d"(x86::high(all)));
        break;
    case I::xsaveopt:
        asm volatile("xsaveopt64 %0" : "+m"(state.bytes) : "a"(x86::low(all)), "d"(x86::high(all)));
        break;
    case I::xsaves:
        asm volatile("xsaves64 %0" : "+m"(state.bytes) : "a"(x86::low(all)), "d"(x86::high(all)));
        break;
    }
}

} // namespace arch
