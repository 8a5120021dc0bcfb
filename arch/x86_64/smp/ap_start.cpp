#include "arch/x86_64/smp/ap_start.hpp"

#include <cstddef>
#include <cstdint>

#include "arch/atomic.hpp"
#include "arch/timer.hpp"
#include "arch/x86_64/address_space.hpp"
#include "arch/x86_64/cpu_local.hpp"
#include "arch/x86_64/cpu_ops.hpp"
#include "arch/x86_64/extended_state.hpp"
#include "arch/x86_64/gdt.hpp"
#include "arch/x86_64/idt.hpp"
#include "arch/x86_64/lapic.hpp"
#include "arch/x86_64/layout.hpp"
#include "arch/x86_64/paging.hpp"
#include "arch/x86_64/protection.hpp"
#include "arch/x86_64/smp/boot_memory.hpp"
#include "arch/x86_64/smp/trampoline_layout.h"
#include "arch/x86_64/time.hpp"
#include "arch/x86_64/user.hpp"
#include "kernel/lib/print.hpp"
#include "kernel/main.hpp"

// ap_trampoline.S; boot_pml4 is boot/entry.S's top-level table, linked at its physical address.
extern "C" const char x86_ap_trampoline[], x86_ap_trampoline_end[], x86_ap_trampoline_32[],
    x86_ap_trampoline_64[], boot_pml4[];
extern "C" void x86_ap_entry();

namespace arch::x86::smp {

namespace {

constexpr std::uint64_t page = 4096;
constexpr std::uint64_t kib = 1024;
constexpr std::uint64_t cr4_pge = 1u << 7;
constexpr std::uint64_t efer_lme = 1u << 8, efer_nxe = 1u << 11;

/// The trampoline page's parameters (trampoline_layout.h), from TRAMPOLINE_GDTR on.
struct [[gnu::packed]] Parameters {
    std::uint16_t gdtr_limit;
    std::uint32_t gdtr_base;
    std::uint16_t pad0;
    std::uint32_t far32_offset;
    std::uint16_t far32_selector;
    std::uint16_t pad1;
    std::uint32_t far64_offset;
    std::uint16_t far64_selector;
    std::uint16_t pad2;
    std::uint32_t boot_cr3;
    std::uint32_t efer;
    std::uint64_t entry;
    std::uint64_t kernel_cr3;
    std::uint64_t stack;
    std::uint64_t cpu;
    std::uint64_t gdt[4];
};
constexpr std::size_t at(std::size_t offset) {
    return offset - TRAMPOLINE_GDTR;
}
static_assert(offsetof(Parameters, far32_offset) == at(TRAMPOLINE_FAR32));
static_assert(offsetof(Parameters, far64_offset) == at(TRAMPOLINE_FAR64));
static_assert(offsetof(Parameters, boot_cr3) == at(TRAMPOLINE_BOOT_CR3));
static_assert(offsetof(Parameters, efer) == at(TRAMPOLINE_EFER));
static_assert(offsetof(Parameters, entry) == at(TRAMPOLINE_ENTRY));
static_assert(offsetof(Parameters, kernel_cr3) == at(TRAMPOLINE_KERNEL_CR3));
static_assert(offsetof(Parameters, stack) == at(TRAMPOLINE_STACK));
static_assert(offsetof(Parameters, cpu) == at(TRAMPOLINE_CPU));
static_assert(offsetof(Parameters, gdt) == at(TRAMPOLINE_GDT));
static_assert(TRAMPOLINE_GDT + sizeof(Parameters::gdt) <= TRAMPOLINE_CODE);

// Each AP's stacks, in physical memory taken from the memory map, at their own virtual addresses: a kernel
// stack and the three IST stacks, each above an unmapped guard page. Slot `id` of the area belongs to CPU id.
constexpr std::uint64_t kernel_stack_bytes = 32 * kib; // the run loop and syscalls; an exception dump
constexpr std::uint64_t ist_stack_bytes = 16 * kib;
constexpr std::uint64_t physical_per_cpu = kernel_stack_bytes + ist::count * ist_stack_bytes;
constexpr std::uint64_t slot_stride = 128 * kib;
static_assert(page + kernel_stack_bytes + ist::count * (page + ist_stack_bytes) <= slot_stride);
/// The last GiB of the address space: the kernel image's tables (boot and kernel) leave it empty.
constexpr std::uint64_t stack_area = 0xffff'ffff'c000'0000ull;
static_assert(stack_area + max_cpus * slot_stride > stack_area, "the area fits below 2^64");

/// What the boot CPU prepares for one AP; its address is the trampoline's TRAMPOLINE_CPU.
struct ApSlot {
    CpuLocal cpu;
    IstStacks ist;
    std::uint32_t expected_apic_id;
};
ApSlot slots[max_cpus]; // slot 0 stays unused: CPU 0 is the boot CPU (boot_cpu)

/// The AP being started writes its CPU number here when it runs C++ (its trampoline parameters are free
/// again), then to `ready` when it is set up. The boot CPU waits for each.
Atomic<std::uint32_t> alive{0};
Atomic<std::uint32_t> ready{0};

constexpr std::uint64_t ms = 1'000'000;

void spin_for(std::uint64_t ns) {
    const std::uint64_t until = time_now() + ns;
    while (time_now() < until) cpu_relax();
}

/// Wait until `flag` reads `id` or `ns` have passed.
bool wait_for(const Atomic<std::uint32_t>& flag, std::uint32_t id, std::uint64_t ns) {
    const std::uint64_t until = time_now() + ns;
    while (flag.load(MemoryOrder::acquire) != id) {
        if (time_now() >= until) return false;
        cpu_relax();
    }
    return true;
}

std::uint64_t address(const void* p) {
    return reinterpret_cast<std::uintptr_t>(p);
}

/// Copy the trampoline into `pa` (below 1 MiB, reached through the direct map) and fill what every AP shares.
Parameters& install_trampoline(std::uint64_t pa) {
    auto* dst = static_cast<volatile char*>(direct_map_address(pa));
    const std::size_t size = x86_ap_trampoline_end - x86_ap_trampoline;
    for (std::size_t i = 0; i < size; ++i) dst[i] = x86_ap_trampoline[i];
    auto& p = *static_cast<Parameters*>(direct_map_address(pa + TRAMPOLINE_GDTR));
    p.gdt[0] = 0;
    p.gdt[TRAMPOLINE_SEL_CODE32 / 8] = 0x00cf9a000000ffff; // 32-bit code, flat
    p.gdt[TRAMPOLINE_SEL_DATA / 8] = 0x00cf92000000ffff;   // data, flat
    p.gdt[TRAMPOLINE_SEL_CODE64 / 8] = 0x00af9a000000ffff; // 64-bit code
    p.gdtr_limit = sizeof p.gdt - 1;
    p.gdtr_base = static_cast<std::uint32_t>(pa + TRAMPOLINE_GDT);
    p.far32_offset = static_cast<std::uint32_t>(pa + (x86_ap_trampoline_32 - x86_ap_trampoline));
    p.far32_selector = TRAMPOLINE_SEL_CODE32;
    p.far64_offset = static_cast<std::uint32_t>(pa + (x86_ap_trampoline_64 - x86_ap_trampoline));
    p.far64_selector = TRAMPOLINE_SEL_CODE64;
    p.boot_cr3 = static_cast<std::uint32_t>(address(boot_pml4));
    p.efer = static_cast<std::uint32_t>(efer_lme | (rdmsr(msr_efer) & efer_nxe));
    p.entry = address(reinterpret_cast<const void*>(&x86_ap_entry));
    p.kernel_cr3 = kernel_root();
    return p;
}

/// Map CPU `id`'s stacks onto [pa, pa + physical_per_cpu); the slot's guard pages stay unmapped. Returns the
/// kernel stack's top.
std::uint64_t map_stacks(CpuId id, std::uint64_t pa, IstStacks& ist) {
    constexpr kernel::mem::Rights read_write{true, false, false};
    std::uint64_t va = stack_area + id * slot_stride + page;
    bool ok = map_kernel_pages(va, pa, kernel_stack_bytes, read_write);
    const std::uint64_t top = va + kernel_stack_bytes;
    va = top;
    pa += kernel_stack_bytes;
    for (unsigned i = 0; i < ist::count; ++i) {
        va += page;
        ok = ok && map_kernel_pages(va, pa, ist_stack_bytes, read_write);
        va += ist_stack_bytes;
        pa += ist_stack_bytes;
        ist.top[i] = va;
    }
    return ok ? top : 0;
}

/// INIT, then start-up IPIs until the AP runs (SDM vol. 3, 9.4.4.1: two, 200 µs apart, after a 10 ms wait).
bool start_one(std::uint32_t apic_id, std::uint8_t vector_page, CpuId id) {
    asm volatile("mfence"
                 :
                 :
                 : "memory"); // the parameters are in memory before any IPI (x2APIC ICR writes
                              // are not serialising)
    lapic::send_init(apic_id);
    spin_for(10 * ms);
    for (int attempt = 0; attempt < 2; ++attempt) {
        lapic::send_startup(apic_id, vector_page);
        if (wait_for(alive, id, attempt == 0 ? ms / 5 : 1000 * ms)) return true;
    }
    lapic::send_init(apic_id); // back to wait-for-SIPI: it must not run the next CPU's parameters later
    return false;
}

} // namespace

Started start_application_processors(const kernel::boot::acpi::AcpiInfo& acpi,
                                     const kernel::boot::BootInfo& boot,
                                     std::span<const kernel::mem::PhysRange> taken) {
    using kernel::println;
    Started started;
    const std::uint32_t boot_apic = boot_cpu.apic_id;
    if (!acpi.madt) {
        println("smp: no usable MADT: only the boot CPU runs");
        return started;
    }
    unsigned planned = 0, listed = 0;
    for (std::size_t i = 0; i < acpi.cpu_count; ++i) {
        const kernel::boot::acpi::Cpu& c = acpi.cpus[i];
        if (!c.enabled || c.apic_id == boot_apic) continue;
        ++listed;
        if (planned + 1 < max_cpus) ++planned;
    }
    if (listed > planned || acpi.cpus_dropped) {
        println("smp: ", listed + acpi.cpus_dropped + 1, " CPUs listed, this kernel runs at most ", max_cpus,
                ": the rest stay off");
    }
    if (planned == 0) return started;

    kernel::mem::PhysRange used[32];
    std::size_t used_count = 0;
    for (const kernel::mem::PhysRange& t : taken)
        if (used_count < sizeof used / sizeof used[0]) used[used_count++] = t;
    for (std::size_t i = 0; i < boot.module_count && used_count < sizeof used / sizeof used[0]; ++i)
        used[used_count++] = {boot.modules[i].base, boot.modules[i].base + boot.modules[i].size};
    std::span<const kernel::mem::PhysRange> avoid(used, used_count);

    // The trampoline page: usable RAM below 1 MiB (the start-up IPI names a page number of 8 bits) that the
    // firmware's data does not occupy. The first MiB stays out of the frame allocator for good.
    auto trampoline = find_free_range(boot.memory, avoid, page, page, page, 0x10'0000);
    const std::uint64_t stack_bytes = planned * physical_per_cpu;
    auto stacks = find_free_range(boot.memory, avoid, stack_bytes, page, 0x10'0000, direct_map_size);
    if (!trampoline || !stacks) {
        println("smp: no free ", trampoline ? "memory for the stacks of " : "page below 1 MiB to start ",
                planned, " more CPUs: only the boot CPU runs");
        return started;
    }
    started.memory = {*stacks, *stacks + stack_bytes};
    Parameters& params = install_trampoline(*trampoline);
    const auto vector_page = static_cast<std::uint8_t>(*trampoline / page);

    CpuId next = 1;
    for (std::size_t i = 0; i < acpi.cpu_count && next < 1 + planned; ++i) {
        const kernel::boot::acpi::Cpu& c = acpi.cpus[i];
        if (!c.enabled || c.apic_id == boot_apic) continue;
        if (!lapic::x2apic_mode() && c.apic_id > 0xfe) {
            // An xAPIC's ICR names 8-bit destinations (0xff is the broadcast): only x2APIC mode reaches it.
            println("smp: the CPU with apic id ", c.apic_id,
                    " needs x2APIC mode, which the firmware left off: left out");
            continue;
        }
        ApSlot& slot = slots[next];
        slot = ApSlot{};
        slot.cpu.id = next;
        slot.expected_apic_id = c.apic_id;
        const std::uint64_t top = map_stacks(next, *stacks + (next - 1) * physical_per_cpu, slot.ist);
        if (top == 0) {
            println("smp: cannot map the stacks of CPU ", next, ": no more CPUs are started");
            break;
        }
        params.stack = top;
        params.cpu = address(&slot);
        if (!start_one(c.apic_id, vector_page, next)) {
            println("smp: the CPU with apic id ", c.apic_id, " did not answer its start-up IPIs: left out");
            continue;
        }
        if (!wait_for(ready, next, 1000 * ms)) {
            // It runs kernel code already and cannot be stopped safely: the boot must not go on without it.
            println("smp: CPU ", next, " (apic id ", c.apic_id, ") started but did not finish its set-up");
            shutdown(ExitStatus::panic);
        }
        if (slot.cpu.apic_id != c.apic_id) {
            println("smp: CPU ", next, " reports apic id ", slot.cpu.apic_id, ", the MADT said ", c.apic_id);
        }
        println("cpu ", next, ": apic id ", slot.cpu.apic_id, " online");
        ++next;
    }
    started.online = next;
    set_cpu_count(next);
    return started;
}

} // namespace arch::x86::smp

/// First C++ on an application processor, on its own kernel stack with the kernel's tables loaded
/// (ap_trampoline.S). Never returns: the CPU runs the kernel until the machine stops.
extern "C" [[noreturn]] void x86_ap_main(arch::x86::smp::ApSlot* slot) {
    using namespace arch::x86;
    CpuLocal& cpu = slot->cpu;
    install_cpu_local(cpu, cpu.id);
    smp::alive.store(cpu.id, arch::MemoryOrder::release);
    load_gdt(cpu, slot->ist);
    load_idt();
    setup_pat();
    load_kernel_address_space(cpu);
    write_cr4(read_cr4() | smp::cr4_pge);
    enable_protection();
    enable_extended_state_on_this_cpu();
    init_user_entry();
    lapic::init(cpu.apic_id); // cannot fail here: the boot CPU mapped the registers already
    time::start_on_this_cpu();
    smp::ready.store(cpu.id, arch::MemoryOrder::release);
    // Open for interrupts while waiting: the boot CPU's kernel may shoot down TLB entries meanwhile.
    arch::irq_enable();
    kernel::start_secondary();
    halt_forever();
}
