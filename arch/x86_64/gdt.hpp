// Segmentation as long mode still needs it: a GDT with flat code/data descriptors and a TSS whose interrupt
// stack table gives #DF, NMI and #MC known-good stacks (they may strike when the current stack is not).
#pragma once

#include <cstdint>

namespace arch::x86 {

/// Selectors. The order kernel code, kernel data, user data, user code is the one SYSCALL/SYSRET require
/// (STAR[47:32] = 0x08, STAR[63:48] = 0x10: SYSRET loads SS = 0x18|3 and CS = 0x20|3).
namespace selector {
inline constexpr std::uint16_t kernel_code = 0x08;
inline constexpr std::uint16_t kernel_data = 0x10;
inline constexpr std::uint16_t user_data = 0x18 | 3;
inline constexpr std::uint16_t user_code = 0x20 | 3;
inline constexpr std::uint16_t tss = 0x28;
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

struct Gdt {
    /// null, kernel code, kernel data, user data, user code, TSS (two slots)
    alignas(8) std::uint64_t entries[7];
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

/// Fill and load this CPU's GDT and TSS (with its IST stacks); reload CS, DS, ES, SS. FS and GS are left
/// alone: GS's base holds the CPU-local pointer.
void load_gdt(CpuLocal& cpu);

} // namespace arch::x86
