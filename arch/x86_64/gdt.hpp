// Segmentation as long mode still needs it: a GDT with flat code/data descriptors and a TSS whose interrupt
// stack table gives #DF, NMI and #MC known-good stacks (they may strike when the current stack is not).
#pragma once

#include <cstdint>

#include "arch/x86_64/selectors.h"

namespace arch::x86 {

/// Selectors, in the order SYSCALL/SYSRET require (selectors.h).
namespace selector {
inline constexpr std::uint16_t kernel_code = X86_SELECTOR_KERNEL_CODE;
inline constexpr std::uint16_t kernel_data = X86_SELECTOR_KERNEL_DATA;
inline constexpr std::uint16_t user_data = X86_SELECTOR_USER_DATA;
inline constexpr std::uint16_t user_code = X86_SELECTOR_USER_CODE;
inline constexpr std::uint16_t tss = X86_SELECTOR_TSS;
} // namespace selector

/// Interrupt-stack-table slots (1-based, as IDT gates name them).
namespace ist {
inline constexpr unsigned double_fault = 1;
inline constexpr unsigned nmi = 2;
inline constexpr unsigned machine_check = 3;
inline constexpr unsigned count = 3;
} // namespace ist

/// The 64-bit task-state segment (Intel SDM vol. 3, figure 8-11).
struct [[gnu::packed]] Tss {
    std::uint32_t reserved0;
    std::uint64_t rsp[3];
    std::uint64_t reserved1;
    std::uint64_t ist[7];
    std::uint64_t reserved2;
    std::uint16_t reserved3;
    std::uint16_t iomap_base;
};
static_assert(sizeof(Tss) == 104);

/// The I/O permission bitmap right after a TSS (Intel SDM vol. 1, 19.5.2): ring 3 may use port p when bit p
/// is clear, and an access of n bytes needs all n bits clear. The byte after the map must have every bit set.
struct [[gnu::packed]] IoBitmap {
    std::uint8_t bits[8192];
    std::uint8_t end;
};
static_assert(sizeof(IoBitmap::bits) * 8 == 65536, "one bit per port");

/// TSS.iomap_base values: the map right after the TSS, or none (beyond the limit: every port faults).
inline constexpr std::uint16_t iomap_on = sizeof(Tss);
inline constexpr std::uint16_t iomap_off = sizeof(Tss) + sizeof(IoBitmap);

struct Gdt {
    /// null, kernel code, kernel data, user data, user code, TSS (two slots)
    alignas(8) std::uint64_t entries[X86_GDT_ENTRIES];
};

/// A stack above a guard page that the kernel's page tables leave unmapped, so running off its end faults
/// (and, since the fault cannot push onto it either, ends in a double fault on its own IST stack).
struct alignas(4096) GuardedStack {
    std::uint8_t guard[4096];
    std::uint8_t stack[16384];
};

/// The guard page of the boot CPU's IST stack `slot` (0-based).
const void* ist_stack_guard(unsigned slot);

struct CpuLocal;

/// Tops of one CPU's IST stacks, by 0-based slot.
struct IstStacks {
    std::uint64_t top[ist::count];
};

/// The boot CPU's IST stacks (in the image's .stacks).
IstStacks boot_ist_stacks();

/// Fill and load this CPU's GDT and TSS (with IST stacks `ist`); reload CS, DS, ES, SS. FS and GS are left
/// alone: GS's base holds the CPU-local pointer.
void load_gdt(CpuLocal& cpu, const IstStacks& ist);

} // namespace arch::x86
