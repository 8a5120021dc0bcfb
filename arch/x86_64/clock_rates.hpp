// What the CPU (or the hypervisor under it) says about its clocks, decoded from CPUID without touching
// hardware, so that the rules can be unit-tested on the host (clock_rates_test.cpp) with leaves captured from
// real machines and hypervisors. time.cpp asks these first and falls back to measuring against the PIT only
// when none of them names the TSC's frequency: the PIT is gated off on some recent machines and absent in
// some VMMs, and polling it costs a VM exit per read.
//
// Sources, in the order they are trusted:
//   CPUID 0x15   TSC / core crystal ratio (EBX/EAX) and crystal Hz (ECX): exact where ECX is given; the local
//                APIC timer runs at the crystal clock (Intel SDM vol. 3, 11.5.4; vol. 2, CPUID leaf 15H).
//   CPUID 0x16   base frequency in MHz (EAX): the TSC's nominal rate where leaf 0x15 gives no crystal.
//   0x40000010   the hypervisor timing leaf (VMware's convention, also QEMU/KVM's): EAX TSC kHz, EBX local
//                APIC bus kHz; only if the hypervisor's range (leaf 0x40000000 EAX) reaches it.
//   kvmclock     KVM's paravirtual clock (time.cpp reads it): its TSC-to-nanoseconds scale gives the rate.
#pragma once

#include <cstdint>
#include <optional>

namespace arch::x86::clock {

enum class Source : std::uint8_t { cpuid_15, cpuid_16, hypervisor_leaf, kvmclock, tsc, pit };

/// How the banner names a source.
constexpr const char* name(Source s) {
    switch (s) {
    case Source::cpuid_15:
        return "CPUID 0x15";
    case Source::cpuid_16:
        return "CPUID 0x16";
    case Source::hypervisor_leaf:
        return "hypervisor leaf 0x40000010";
    case Source::kvmclock:
        return "kvmclock";
    case Source::tsc:
        return "measured against the TSC";
    case Source::pit:
        return "measured against the PIT";
    }
    return "?";
}

struct Rate {
    std::uint64_t hz;
    Source source;
};

inline constexpr std::uint32_t hypervisor_base = 0x4000'0000, hypervisor_timing = 0x4000'0010;

/// CPUID.1:ECX bit 24: the local APIC timer has TSC-deadline mode (IA32_TSC_DEADLINE).
inline constexpr std::uint32_t ecx_tsc_deadline = 1u << 24;
/// CPUID.1:ECX bit 31: a hypervisor is present and leaves from 0x40000000 are its own.
inline constexpr std::uint32_t ecx_hypervisor = 1u << 31;
/// KVM's feature leaf 0x40000001 EAX: kvmclock at the MSRs 0x4b564d00/01 (bit 3) or 0x11/0x12 (bit 0).
inline constexpr std::uint32_t kvm_feature_clocksource = 1u << 0, kvm_feature_clocksource2 = 1u << 3;

/// `Cpuid` is callable as cpuid(leaf, subleaf) and returns something with eax, ebx, ecx, edx.
template <typename Cpuid>
std::uint32_t max_basic_leaf(Cpuid&& cpuid) {
    return cpuid(0u, 0u).eax;
}

/// The hypervisor's highest leaf, or 0 when no hypervisor says it is there.
template <typename Cpuid>
std::uint32_t max_hypervisor_leaf(Cpuid&& cpuid) {
    if (max_basic_leaf(cpuid) < 1 || !(cpuid(1u, 0u).ecx & ecx_hypervisor)) return 0;
    std::uint32_t max = cpuid(hypervisor_base, 0u).eax;
    // A range that does not start at the base leaf is not a hypervisor range (some CPUs echo the highest
    // basic leaf for leaves they do not implement).
    return max >= hypervisor_base && max < hypervisor_base + 0x1'0000 ? max : 0;
}

/// TSC frequency from CPUID 0x15/0x16 or the hypervisor timing leaf, or nullopt.
template <typename Cpuid>
std::optional<Rate> tsc_rate(Cpuid&& cpuid) {
    const std::uint32_t max = max_basic_leaf(cpuid);
    if (max >= 0x15) {
        auto l = cpuid(0x15u, 0u);
        // EAX = denominator, EBX = numerator of TSC/crystal, ECX = crystal Hz; zeros mean "not enumerated".
        if (l.eax != 0 && l.ebx != 0) {
            if (l.ecx != 0) return Rate{std::uint64_t{l.ecx} * l.ebx / l.eax, Source::cpuid_15};
            if (max >= 0x16) {
                std::uint32_t base_mhz = cpuid(0x16u, 0u).eax & 0xffff;
                if (base_mhz != 0) return Rate{std::uint64_t{base_mhz} * 1'000'000, Source::cpuid_16};
            }
        }
    }
    if (max_hypervisor_leaf(cpuid) >= hypervisor_timing) {
        std::uint32_t khz = cpuid(hypervisor_timing, 0u).eax;
        if (khz != 0) return Rate{std::uint64_t{khz} * 1000, Source::hypervisor_leaf};
    }
    return std::nullopt;
}

/// The local APIC timer's input clock (divide-by-one) from CPUID 0x15's crystal or the hypervisor timing
/// leaf, or nullopt.
template <typename Cpuid>
std::optional<Rate> apic_timer_rate(Cpuid&& cpuid) {
    if (max_basic_leaf(cpuid) >= 0x15) {
        auto l = cpuid(0x15u, 0u);
        if (l.eax != 0 && l.ebx != 0 && l.ecx != 0) return Rate{l.ecx, Source::cpuid_15};
    }
    if (max_hypervisor_leaf(cpuid) >= hypervisor_timing) {
        std::uint32_t khz = cpuid(hypervisor_timing, 0u).ebx;
        if (khz != 0) return Rate{std::uint64_t{khz} * 1000, Source::hypervisor_leaf};
    }
    return std::nullopt;
}

template <typename Cpuid>
bool has_tsc_deadline(Cpuid&& cpuid) {
    return max_basic_leaf(cpuid) >= 1 && (cpuid(1u, 0u).ecx & ecx_tsc_deadline);
}

/// Which kvmclock MSR to use (the "new" 0x4b564d01 or the old 0x12), or 0 when KVM offers none.
template <typename Cpuid>
std::uint32_t kvmclock_msr(Cpuid&& cpuid) {
    const std::uint32_t max = max_hypervisor_leaf(cpuid);
    if (max < hypervisor_base + 1) return 0;
    auto sig = cpuid(hypervisor_base, 0u);
    // "KVMKVMKVM\0\0\0" in EBX, ECX, EDX.
    if (sig.ebx != 0x4b4d564b || sig.ecx != 0x564b4d56 || sig.edx != 0x4d) return 0;
    std::uint32_t features = cpuid(hypervisor_base + 1, 0u).eax;
    if (features & kvm_feature_clocksource2) return 0x4b56'4d01;
    if (features & kvm_feature_clocksource) return 0x12;
    return 0;
}

/// The TSC rate a pvclock scale stands for: nanoseconds = (ticks shifted by `shift`) * mul / 2^32, so
/// Hz = 10^9 * 2^32 / mul, shifted the other way. 0 for a scale no clock can have (mul = 0).
constexpr std::uint64_t pvclock_tsc_hz(std::uint32_t mul, std::int8_t shift) {
    if (mul == 0 || shift < -31 || shift > 31) return 0;
    std::uint64_t hz = (std::uint64_t{1'000'000'000} << 32) / mul;
    if (shift >= 0) return hz >> shift;
    return hz > (~std::uint64_t{0} >> -shift) ? 0 : hz << -shift;
}

} // namespace arch::x86::clock
