// arch/x86_64/clock_rates.hpp against CPUID leaves captured from machines (QEMU TCG -cpu max, KVM's PVM
// hypervisor on an AMD EPYC host) and shaped after the Intel SDM's leaf 0x15/0x16 descriptions.
#include "arch/x86_64/clock_rates.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <utility>

namespace {

using namespace arch::x86::clock;

struct Leaf {
    std::uint32_t eax = 0, ebx = 0, ecx = 0, edx = 0;
};

/// A CPU's CPUID table. Leaves it lacks answer like Intel CPUs do for leaves above the maximum: with the
/// highest basic leaf's contents (SDM vol. 2, CPUID), so a rule that forgets to check the maximum reads junk.
struct FakeCpu {
    std::map<std::uint32_t, Leaf> leaves;

    Leaf operator()(std::uint32_t leaf, std::uint32_t) const {
        auto it = leaves.find(leaf);
        if (it != leaves.end()) return it->second;
        return leaves.at(leaves.at(0).eax);
    }
};

constexpr Leaf kvm_signature{0x4000'0001, 0x4b4d'564b, 0x564b'4d56, 0x4d};

/// Read off QEMU 7.2 TCG `-cpu max` by the kernel: highest leaf 0xd, no TSC-deadline, the TCG hypervisor
/// range ending at 0x40000001.
FakeCpu tcg_max() {
    return FakeCpu{{{0, {0xd, 0x6874'7541, 0x444d'4163, 0x6974'6e65}},
                    {1, {0x60fb1, 0x800, 0xf6d8'320b, 0x0fcb'fbfd}},
                    {0xd, {0x21f, 0x240, 0xa88, 0}},
                    {0x4000'0000, {0x4000'0001, 0x5447'4354, 0x4354'4743, 0x4743'5447}},
                    {0x4000'0001, {}}}};
}

/// Read off `-accel kvm -cpu host` on this machine kind (kvm_pvm on an AMD EPYC): no 0x15/0x16 rates, KVM's
/// range ends at 0x40000001, kvmclock offered, TSC-deadline offered.
FakeCpu pvm_epyc() {
    return FakeCpu{{{0, {0x1c, 0x6874'7541, 0x444d'4163, 0x6974'6e65}},
                    {1, {0xa10f11, 0x800, 0xf7f8'3203, 0x178b'fbff}},
                    {0x15, {}},
                    {0x16, {}},
                    {0x1c, {}},
                    {0x4000'0000, kvm_signature},
                    {0x4000'0001, {0x0100'7afb, 0, 0, 0}}}};
}

TEST(ClockRates, TcgHasNoRateAndNoDeadline) {
    FakeCpu cpu = tcg_max();
    EXPECT_FALSE(tsc_rate(cpu).has_value());
    EXPECT_FALSE(apic_timer_rate(cpu).has_value());
    EXPECT_FALSE(has_tsc_deadline(cpu));
    EXPECT_EQ(kvmclock_msr(cpu), 0u);
    EXPECT_EQ(max_hypervisor_leaf(cpu), 0x4000'0001u);
}

TEST(ClockRates, PvmOffersKvmclockAndDeadlineOnly) {
    FakeCpu cpu = pvm_epyc();
    EXPECT_FALSE(tsc_rate(cpu).has_value());
    EXPECT_TRUE(has_tsc_deadline(cpu));
    EXPECT_EQ(kvmclock_msr(cpu), 0x4b56'4d01u);
}

TEST(ClockRates, Leaf15WithCrystalIsExact) {
    // An Ice Lake server's shape: 25 MHz crystal, TSC = crystal * 208 / 2 = 2.6 GHz.
    FakeCpu cpu{
        {{0, {0x1b}}, {1, {}}, {0x15, {2, 208, 25'000'000, 0}}, {0x16, {2600, 3700, 100, 0}}, {0x1b, {}}}};
    auto tsc = tsc_rate(cpu);
    ASSERT_TRUE(tsc.has_value());
    EXPECT_EQ(tsc->hz, 2'600'000'000u);
    EXPECT_EQ(tsc->source, Source::cpuid_15);
    auto apic = apic_timer_rate(cpu);
    ASSERT_TRUE(apic.has_value());
    EXPECT_EQ(apic->hz, 25'000'000u);
    EXPECT_EQ(apic->source, Source::cpuid_15);
}

TEST(ClockRates, Leaf15WithoutCrystalFallsBackToBaseFrequency) {
    // A client part that gives the ratio but not the crystal: leaf 0x16's 3200 MHz base frequency is the
    // TSC's.
    FakeCpu cpu{{{0, {0x16}}, {1, {}}, {0x15, {2, 300, 0, 0}}, {0x16, {3200, 4600, 100, 0}}}};
    auto tsc = tsc_rate(cpu);
    ASSERT_TRUE(tsc.has_value());
    EXPECT_EQ(tsc->hz, 3'200'000'000u);
    EXPECT_EQ(tsc->source, Source::cpuid_16);
    EXPECT_FALSE(apic_timer_rate(cpu).has_value()) << "no crystal: the APIC timer rate is unknown";
}

TEST(ClockRates, LeavesAboveTheMaximumAreNotRead) {
    // Highest basic leaf 0xd: leaf 0x15 would answer with leaf 0xd's (nonzero) contents.
    FakeCpu cpu{{{0, {0xd}}, {1, {}}, {0xd, {0x7, 0x340, 0x340, 0}}}};
    EXPECT_FALSE(tsc_rate(cpu).has_value());
}

TEST(ClockRates, HypervisorTimingLeaf) {
    // QEMU/KVM with invtsc: the range reaches 0x40000010, TSC 2596000 kHz, APIC bus 1000000 kHz.
    Leaf sig = kvm_signature;
    sig.eax = 0x4000'0010;
    FakeCpu cpu{{{0, {0xd}},
                 {1, {0, 0, ecx_hypervisor, 0}},
                 {0xd, {}},
                 {0x4000'0000, sig},
                 {0x4000'0001, {kvm_feature_clocksource2, 0, 0, 0}},
                 {0x4000'0010, {2'596'000, 1'000'000, 0, 0}}}};
    auto tsc = tsc_rate(cpu);
    ASSERT_TRUE(tsc.has_value());
    EXPECT_EQ(tsc->hz, 2'596'000'000u);
    EXPECT_EQ(tsc->source, Source::hypervisor_leaf);
    auto apic = apic_timer_rate(cpu);
    ASSERT_TRUE(apic.has_value());
    EXPECT_EQ(apic->hz, 1'000'000'000u);
}

TEST(ClockRates, HypervisorLeavesNeedTheHypervisorBit) {
    // Without CPUID.1:ECX[31] leaves 0x4000xxxx are not a hypervisor's, whatever they contain.
    FakeCpu cpu{{{0, {0xd}},
                 {1, {}},
                 {0xd, {}},
                 {0x4000'0000, {0x4000'0010, 0x4b4d'564b, 0x564b'4d56, 0x4d}},
                 {0x4000'0010, {2'596'000, 1'000'000, 0, 0}}}};
    EXPECT_EQ(max_hypervisor_leaf(cpu), 0u);
    EXPECT_FALSE(tsc_rate(cpu).has_value());
    EXPECT_EQ(kvmclock_msr(cpu), 0u);
}

TEST(ClockRates, AnEchoedBasicLeafIsNoHypervisorRange) {
    FakeCpu cpu{{{0, {0xd}}, {1, {0, 0, ecx_hypervisor, 0}}, {0xd, {0x7, 0x340, 0x340, 0}}}};
    EXPECT_EQ(max_hypervisor_leaf(cpu), 0u);
}

TEST(ClockRates, OldKvmclockMsr) {
    FakeCpu cpu = pvm_epyc();
    cpu.leaves[0x4000'0001] = {kvm_feature_clocksource, 0, 0, 0};
    EXPECT_EQ(kvmclock_msr(cpu), 0x12u);
    cpu.leaves[0x4000'0001] = {};
    EXPECT_EQ(kvmclock_msr(cpu), 0u);
}

TEST(ClockRates, PvclockScale) {
    // KVM scales a 2.596 GHz TSC with shift -1 and mul = round(2^33 / 2.596) = 3308911630: ns = (t >> 1) *
    // mul / 2^32.
    std::uint64_t hz = pvclock_tsc_hz(3'308'911'630u, -1);
    EXPECT_NEAR(static_cast<double>(hz), 2.596e9, 10.0);
    // A 1 GHz TSC: one nanosecond per tick is mul = 2^31 with shift 1.
    EXPECT_EQ(pvclock_tsc_hz(0x8000'0000u, 1), 1'000'000'000u);
    EXPECT_EQ(pvclock_tsc_hz(0, 0), 0u);
    EXPECT_EQ(pvclock_tsc_hz(1, -31), 0u) << "a rate past 2^64 Hz is no rate";
}

} // namespace
