#include "arch/x86_64/gdt.hpp"

#include <cstddef>

#include "arch/x86_64/cpu_local.hpp"

namespace arch::x86 {

namespace {

constexpr std::uint64_t kernel_code64 = 0x00af9a000000ffff; // present, DPL 0, code, L = 1
constexpr std::uint64_t kernel_data = 0x00cf92000000ffff;   // present, DPL 0, data, writable
constexpr std::uint64_t user_data = 0x00cff2000000ffff;     // present, DPL 3, data, writable
constexpr std::uint64_t user_code64 = 0x00affa000000ffff;   // present, DPL 3, code, L = 1

/// The boot CPU's IST stacks, each above a guard page (kernel.ld's .stacks). An exception dump runs on them
/// and formats numbers: 16 KiB is ample.
[[gnu::section(".stacks")]] GuardedStack boot_ist[ist::count];

struct [[gnu::packed]] DescriptorPointer {
    std::uint16_t limit;
    std::uint64_t base;
};

} // namespace

const void* ist_stack_guard(unsigned slot) {
    return boot_ist[slot].guard;
}

IstStacks boot_ist_stacks() {
    IstStacks s{};
    for (unsigned i = 0; i < ist::count; ++i)
        s.top[i] = reinterpret_cast<std::uintptr_t>(boot_ist[i].stack + sizeof(GuardedStack::stack));
    return s;
}

void load_gdt(CpuLocal& cpu, const IstStacks& ist) {
    for (unsigned i = 0; i < ist::count; ++i) cpu.tss.ist[i] = ist.top[i];
    // No port for ring 3 until the kernel selects a set (io_ports.cpp): the map is off and denies everything.
    cpu.tss.iomap_base = iomap_off;
    for (std::uint8_t& b : cpu.io_bitmap.bits) b = 0xff;
    cpu.io_bitmap.end = 0xff;
    cpu.io_key = 0;
    cpu.io_dirty_first = cpu.io_dirty_end = 0;

    auto base = reinterpret_cast<std::uint64_t>(&cpu.tss);
    constexpr std::uint64_t limit = sizeof(Tss) + sizeof(IoBitmap) - 1; // the map lies inside the segment
    static_assert(offsetof(CpuLocal, io_bitmap) == offsetof(CpuLocal, tss) + sizeof(Tss),
                  "the I/O bitmap follows the TSS");
    std::uint64_t* e = cpu.gdt.entries;
    constexpr auto slot = [](std::uint16_t selector) { return selector >> 3; };
    e[0] = 0;
    e[slot(selector::kernel_code)] = kernel_code64;
    e[slot(selector::kernel_data)] = kernel_data;
    e[slot(selector::user_data)] = user_data;
    e[slot(selector::user_code)] = user_code64;
    e[slot(selector::tss)] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
                             (0x89ull << 40) /* present, 64-bit TSS available */ |
                             (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    e[slot(selector::tss) + 1] = base >> 32;

    DescriptorPointer gdtr{sizeof(cpu.gdt.entries) - 1, reinterpret_cast<std::uint64_t>(e)};
    asm volatile("lgdt %0\n\t"
                 "pushq %1\n\t"
                 "leaq 1f(%%rip), %%rax\n\t"
                 "pushq %%rax\n\t"
                 "lretq\n"
                 "1:\n\t"
                 "movl %2, %%eax\n\t"
                 "movl %%eax, %%ds\n\t"
                 "movl %%eax, %%es\n\t"
                 "movl %%eax, %%ss\n\t"
                 "ltr %w3"
                 :
                 : "m"(gdtr), "i"(selector::kernel_code), "i"(selector::kernel_data), "r"(selector::tss)
                 : "rax", "memory");
}

} // namespace arch::x86
