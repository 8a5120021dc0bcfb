#include "arch/x86_64/idt.hpp"

#include <cstdint>

#include "arch/x86_64/gdt.hpp"

extern "C" const std::uint64_t x86_entry_stubs[256];

namespace arch::x86 {

namespace {

/// A 64-bit interrupt gate (Intel SDM vol. 3, figure 6-8).
struct Gate {
    std::uint16_t offset_low;
    std::uint16_t selector;
    std::uint8_t ist;
    std::uint8_t type_attributes;
    std::uint16_t offset_middle;
    std::uint32_t offset_high;
    std::uint32_t reserved;
};
static_assert(sizeof(Gate) == 16);

constexpr std::uint8_t interrupt_gate_dpl0 = 0x8e; // present, DPL 0, type 14: interrupts masked on entry

alignas(16) Gate idt[256];

struct [[gnu::packed]] IdtPointer {
    std::uint16_t limit;
    std::uint64_t base;
};

unsigned ist_for(unsigned vector) {
    switch (vector) {
    case 2:
        return ist::nmi;
    case 8:
        return ist::double_fault;
    case 18:
        return ist::machine_check;
    default:
        return 0;
    }
}

} // namespace

void load_idt() {
    // Filled by the boot CPU alone, before any other CPU runs; the others only load the same table.
    static bool filled = false;
    for (unsigned v = 0; v < 256 && !filled; ++v) {
        std::uint64_t handler = x86_entry_stubs[v];
        idt[v] = Gate{static_cast<std::uint16_t>(handler),
                      selector::kernel_code,
                      static_cast<std::uint8_t>(ist_for(v)),
                      interrupt_gate_dpl0,
                      static_cast<std::uint16_t>(handler >> 16),
                      static_cast<std::uint32_t>(handler >> 32),
                      0};
    }
    filled = true;
    IdtPointer idtr{sizeof(idt) - 1, reinterpret_cast<std::uint64_t>(idt)};
    asm volatile("lidt %0" : : "m"(idtr) : "memory");
}

} // namespace arch::x86
