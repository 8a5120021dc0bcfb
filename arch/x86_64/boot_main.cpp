// The first C++ code on x86-64, called by boot/entry.S in long mode on the boot stack. It makes the machine
// safe to report from (CPU-local data, serial, GDT/TSS, IDT), prints the banner, validates the boot
// information and hands it to the portable kernel.
#include <cstdint>
#include <span>

#include "arch/x86_64/address_space.hpp"
#include "arch/x86_64/cpu_local.hpp"
#include "arch/x86_64/cpu_ops.hpp"
#include "arch/x86_64/extended_state.hpp"
#include "arch/x86_64/idt.hpp"
#include "arch/x86_64/interrupt.hpp"
#include "arch/x86_64/irq_lines.hpp"
#include "arch/x86_64/paging.hpp"
#include "arch/x86_64/pic.hpp"
#include "arch/x86_64/protection.hpp"
#include "arch/x86_64/runtime.hpp"
#include "arch/x86_64/screen.hpp"
#include "arch/x86_64/selftest.hpp"
#include "arch/x86_64/serial.hpp"
#include "arch/x86_64/smp/ap_start.hpp"
#include "arch/x86_64/user.hpp"
#include "kernel/boot/acpi.hpp"
#include "kernel/boot/bootinfo.hpp"
#include "kernel/main.hpp"

extern "C" const char __kernel_phys_start[], __kernel_phys_end[];

namespace {

/// Large (the memory map has room for 256 regions, the MADT for 256 CPUs): static, not on the boot stack.
kernel::boot::BootInfo boot_info;
kernel::boot::acpi::AcpiInfo acpi_info;

/// What the firmware's ACPI tables said, and what of them was not used.
void report_acpi(const kernel::boot::acpi::AcpiInfo& a) {
    using kernel::hex;
    using kernel::println;
    for (std::size_t i = 0; i < a.problem_count; ++i) println(a.problems[i]);
    if (a.problems_dropped) println("acpi: ", a.problems_dropped, " more problems not listed");
    if (!a.found) {
        println("acpi: no usable RSDP or root table");
        return;
    }
    println("acpi: RSDP revision ", a.revision, " (", a.oem_id, ") at ", hex(a.rsdp_pa));
    if (a.madt) {
        std::size_t enabled = 0;
        for (std::size_t i = 0; i < a.cpu_count; ++i) enabled += a.cpus[i].enabled;
        println("acpi: MADT: ", enabled, " CPUs enabled of ", a.cpu_count + a.cpus_dropped, ", ",
                a.ioapic_count, " I/O APICs, ", a.override_count, " overrides, ", a.nmi_count, " NMI entries",
                a.pcat_compat ? ", 8259s present" : "");
    }
    if (a.pm_timer.present)
        println("acpi: PM timer at port ", hex(a.pm_timer.port),
                a.pm_timer.bits32 ? ", 32 bits" : ", 24 bits");
    if (a.hpet.present) println("acpi: HPET at ", hex(a.hpet.address));
    for (std::size_t i = 0; i < a.mcfg_count; ++i)
        println("acpi: PCI segment ", a.mcfg[i].segment, " buses ", a.mcfg[i].start_bus, "-",
                a.mcfg[i].end_bus, " configuration space at ", hex(a.mcfg[i].base));
}

/// User code runs on this CPU through syscall/sysret and the interrupt gates (arch/x86_64/user.cpp).
class MachineRunner final : public kernel::UserRunner {
public:
    arch::UserExit run(arch::UserFrame& frame, arch::AddressSpaceRoot space,
                       const arch::SyscallHook* hook) override {
        return arch::run_user(frame, space, hook);
    }
};

MachineRunner runner;

/// What mmio_create must never hand out besides RAM and the modules: the kernel image, the APs' memory and
/// the register pages of the interrupt controllers the kernel drives (the local APIC at the MADT's address or
/// the architectural default, every I/O APIC). The HPET is not used by the kernel, so a driver may have it.
std::span<const kernel::mem::PhysRange> kernel_owned(const kernel::boot::acpi::AcpiInfo& a,
                                                     kernel::mem::PhysRange image,
                                                     kernel::mem::PhysRange ap_memory) {
    // The PC's default addresses count even without ACPI (acpi=off, no MADT): the chips are there, and a
    // later kernel (or the firmware) may drive them.
    constexpr std::uint64_t page = 0x1000, default_lapic = 0xfee0'0000, default_ioapic = 0xfec0'0000;
    static kernel::mem::PhysRange ranges[5 + kernel::boot::acpi::AcpiInfo::max_ioapics];
    std::size_t n = 0;
    auto add_page = [&](std::uint64_t pa) {
        pa &= ~(page - 1);
        ranges[n++] = {pa, pa + page};
    };
    ranges[n++] = image;
    ranges[n++] = ap_memory;
    add_page(default_lapic);
    if (a.lapic_address && (a.lapic_address & ~(page - 1)) != default_lapic) add_page(a.lapic_address);
    add_page(default_ioapic);
    for (std::size_t i = 0; i < a.ioapic_count; ++i)
        if ((a.ioapics[i].address & ~(page - 1)) != default_ioapic) add_page(a.ioapics[i].address);
    return {ranges, n};
}

} // namespace

extern "C" [[noreturn]] void x86_boot_main(std::uint32_t protocol_number, std::uint32_t entry_eax,
                                           std::uint32_t info_pa) {
    using namespace arch::x86;
    using kernel::boot::Protocol;

    install_cpu_local(boot_cpu, 0);
    run_static_constructors();
    serial::init();
    load_gdt(boot_cpu, boot_ist_stacks());
    load_idt();
    pic::init();
    setup_pat();
    set_kernel_root(read_cr3()); // the boot tables, until the kernel's own replace them
    install_kernel_tables();
    Protection protection = enable_protection();
    const ExtendedFormat& extended = init_extended_state();
    init_user_entry();

    kernel::print_banner();
    auto protocol = protocol_number == 1 ? Protocol::pvh : Protocol::multiboot2;
    if (protocol == Protocol::multiboot2 && entry_eax != kernel::boot::multiboot2_loader_magic) {
        screen::attach(nullptr);
        kernel::println("boot: entered at the multiboot2 entry with EAX = ", kernel::hex(entry_eax),
                        ", not the multiboot2 magic ", kernel::hex(kernel::boot::multiboot2_loader_magic),
                        ": the loader is not multiboot2-compliant; stopping");
        arch::shutdown(arch::ExitStatus::panic);
    }

    kernel::boot::WindowReader reader;
    auto parsed = kernel::boot::parse(protocol, reader, info_pa, boot_info);
    if (!parsed) {
        screen::attach(nullptr);
        kernel::boot_rejected(parsed.error());
    }
    screen::attach(&boot_info);
    // Lines stay under 80 characters: the EGA screen would wrap them.
    auto on = [](bool b) { return b ? "on" : "off"; };
    kernel::println("cpu: NX ", on(protection.nx), ", WP ", on(protection.wp), ", SMEP ", on(protection.smep),
                    ", SMAP ", on(protection.smap), ", UMIP ", on(protection.umip), ", FSGSBASE ",
                    on(protection.fsgsbase), ", PCID not used");
    kernel::println("cpu: user FPU/vector state by ", name(extended.instructions), ", ", extended.bytes,
                    " bytes, XCR0 ", kernel::hex(extended.components),
                    extended.clear_x87_pointers ? ", x87 pointers scrubbed" : "");
    kernel::println("paging: kernel tables: text r-x, rodata r--, data rw-, stacks rw- with guards");
    init_interrupts();
    kernel::boot::acpi::parse(reader, boot_info.acpi_rsdp, acpi_info);
    // The root task's platform page gets the MCFG's configuration windows (kernel/boot_root/root_platform).
    for (std::size_t i = 0; i < acpi_info.mcfg_count && i < janus::abi::max_pci_ecam; ++i) {
        const auto& s = acpi_info.mcfg[i];
        boot_info.ecam[boot_info.ecam_count++] = {s.base, s.segment, s.start_bus, s.end_bus, 0};
    }
    report_acpi(acpi_info);
    irq_lines::init(acpi_info, boot_cpu.apic_id);
    run_selftest(boot_info, acpi_info);
    // Memory the frame allocator must never hand out: the first MiB (real-mode IVT, BIOS data, EBDA, option
    // ROMs, the APs' start page; the memory map may call parts of it usable), the kernel image with its
    // stacks and tables, and the other CPUs' stacks.
    const kernel::mem::PhysRange image[] = {
        {0, 0x10'0000},
        {reinterpret_cast<std::uintptr_t>(__kernel_phys_start),
         reinterpret_cast<std::uintptr_t>(__kernel_phys_end)},
    };
    smp::Started started =
        smp::start_application_processors(acpi_info, boot_info, std::span(image).subspan(1));
    const kernel::mem::PhysRange reserved[] = {image[0], image[1], started.memory};
    kernel::start(boot_info, reserved, &runner, kernel_owned(acpi_info, image[1], started.memory));
    arch::shutdown(arch::ExitStatus::success);
}
