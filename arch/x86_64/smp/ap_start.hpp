// Starting the application processors: every CPU the MADT lists as enabled, other than the boot CPU, is
// brought from wait-for-SIPI into the kernel's higher half with INIT-SIPI-SIPI (Intel SDM vol. 3, 9.4.4) and
// set up as the boot CPU was (GDT/TSS with its own IST stacks, IDT, PAT, CR0/CR4 protections, FPU/vector
// state, SYSCALL MSRs, local APIC and timer). Each then waits in kernel::start_secondary, with interrupts
// open so that it can acknowledge TLB shootdowns, until the boot CPU's kernel::start has built the root task.
//
// CPUs are started one at a time, in MADT order, and numbered 1, 2, ... as they answer. One that has not
// answered within a second is reported, sent INIT again (so that it cannot run later on another CPU's
// parameters) and left out. At most arch::max_cpus CPUs run; the rest are reported and left out.
#pragma once

#include <span>

#include "kernel/boot/acpi.hpp"
#include "kernel/boot/bootinfo.hpp"
#include "kernel/mem/frames.hpp"

namespace arch::x86::smp {

struct Started {
    unsigned online = 1;           ///< CPUs online now, the boot CPU included
    kernel::mem::PhysRange memory; ///< the APs' stacks: reserved for good ({0, 0} if no AP was planned)
};

/// Start the other CPUs (see above) and fix arch::cpu_count(). `taken`: physical ranges the boot still needs
/// besides the boot modules (the kernel image); the trampoline page and the stacks are placed around them and
/// inside the memory map's usable regions. Prints one line per CPU: "cpu N: apic id X online", or why it is
/// not.
Started start_application_processors(const kernel::boot::acpi::AcpiInfo& acpi,
                                     const kernel::boot::BootInfo& boot,
                                     std::span<const kernel::mem::PhysRange> taken);

} // namespace arch::x86::smp
