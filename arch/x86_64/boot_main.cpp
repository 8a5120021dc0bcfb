// The first C++ code on x86-64, called by boot/entry.S in long mode on the boot stack. It makes the machine
// safe to report from (CPU-local data, serial, GDT/TSS, IDT), prints the banner, validates the boot
// information and hands it to the portable kernel.
#include <cstdint>

#include "arch/x86_64/address_space.hpp"
#include "arch/x86_64/cpu_local.hpp"
#include "arch/x86_64/cpu_ops.hpp"
#include "arch/x86_64/extended_state.hpp"
#include "arch/x86_64/idt.hpp"
#include "arch/x86_64/interrupt.hpp"
#include "arch/x86_64/paging.hpp"
#include "arch/x86_64/pic.hpp"
#include "arch/x86_64/protection.hpp"
#include "arch/x86_64/runtime.hpp"
#include "arch/x86_64/screen.hpp"
#include "arch/x86_64/selftest.hpp"
#include "arch/x86_64/serial.hpp"
#include "arch/x86_64/user.hpp"
#include "kernel/boot/bootinfo.hpp"
#include "kernel/main.hpp"

extern "C" const char __kernel_phys_start[], __kernel_phys_end[];

namespace {

/// Large (the memory map has room for 256 regions): static, not on the boot stack.
kernel::boot::BootInfo boot_info;

/// User code runs on this CPU through syscall/sysret and the interrupt gates (arch/x86_64/user.cpp).
class MachineRunner final : public kernel::UserRunner {
public:
    arch::UserExit run(arch::UserFrame& frame, arch::AddressSpaceRoot space) override {
        return arch::run_user(frame, space);
    }
};

MachineRunner runner;

} // namespace

extern "C" [[noreturn]] void x86_boot_main(std::uint32_t protocol_number, std::uint32_t entry_eax,
                                           std::uint32_t info_pa) {
    using namespace arch::x86;
    using kernel::boot::Protocol;

    install_cpu_local(boot_cpu, 0);
    run_static_constructors();
    serial::init();
    load_gdt(boot_cpu);
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
    run_selftest(boot_info);
    // Memory the frame allocator must never hand out: the first MiB (real-mode IVT, BIOS data, EBDA, option
    // ROMs; the memory map may call parts of it usable) and the kernel image with its stacks and tables.
    const kernel::mem::PhysRange reserved[] = {
        {0, 0x10'0000},
        {reinterpret_cast<std::uintptr_t>(__kernel_phys_start),
         reinterpret_cast<std::uintptr_t>(__kernel_phys_end)},
    };
    kernel::start(boot_info, reserved, &runner);
    arch::shutdown(arch::ExitStatus::success);
}
