// Per-CPU state of the x86-64 port, reached through the GS base so that every CPU finds its own without
// knowing its index. The boot CPU's is boot_cpu; each application processor's is set up by smp/ap_start.cpp.
//
// While user code runs, the GS base holds the user's value and this block's address waits in
// IA32_KERNEL_GS_BASE; every entry from ring 3 begins with swapgs (entry_stubs.S, user_entry.S). The first
// fields are read by that assembly at the offsets of entry_layout.hpp.
#pragma once

#include <cstddef>
#include <cstdint>

#include "arch/cpu.hpp"
#include "arch/user.hpp"
#include "arch/x86_64/entry_layout.hpp"
#include "arch/x86_64/gdt.hpp"

namespace arch::x86 {

/// This CPU's one-shot timer as the kernel armed it (time.cpp).
struct TimerState {
    std::uint64_t deadline; ///< time_now() at which `vector` is due; 0: disarmed
    Vector vector;
};

struct CpuLocal {
    CpuLocal* self;            ///< at offset 0: %gs:0 yields this object's address
    UserFrame* user_frame;     ///< the frame run_user() is running
    std::uint64_t resume_rsp;  ///< run_user()'s kernel stack pointer while user code runs
    std::uint64_t scratch_rsp; ///< syscall entry: the user's rsp until it is stored in the frame
    std::uint64_t exit_error;  ///< error code of the exception that ended a user run
    std::uint64_t exit_cr2;    ///< CR2 of a user page fault
    Tss tss;
    IoBitmap io_bitmap; ///< right after tss: the TSS's I/O permission bitmap (io_ports.cpp)
    Gdt gdt;
    CpuId id;
    std::uint32_t apic_id;
    bool in_exception; ///< an exception dump is in progress on this CPU (a second one must not recurse)
    TimerState timer;
    PhysAddr loaded_root;           ///< the top-level table in CR3
    AddressSpaceId loaded_asid;     ///< the address space it belongs to (0: the kernel's own)
    std::uint64_t stray_interrupts; ///< interrupts no APIC delivered (spurious or from a masked PIC)
    std::uint64_t user_fs_base;     ///< the fs base ring 3 last ran with here (IA32_FS_BASE)
    std::uint64_t user_gs_base;     ///< the gs base ring 3 last ran with here (IA32_KERNEL_GS_BASE in ring 0)
    std::uint64_t io_key;           ///< the arch::IoKey of the set in io_bitmap; 0: none
    std::uint32_t
        io_dirty_first; ///< bytes io_bitmap.bits[io_dirty_first .. io_dirty_end) may have clear bits
    std::uint32_t io_dirty_end;
};

static_assert(offsetof(CpuLocal, self) == CPU_SELF);
static_assert(offsetof(CpuLocal, user_frame) == CPU_USER_FRAME);
static_assert(offsetof(CpuLocal, resume_rsp) == CPU_RESUME_RSP);
static_assert(offsetof(CpuLocal, scratch_rsp) == CPU_SCRATCH);
static_assert(offsetof(CpuLocal, exit_error) == CPU_EXIT_ERROR);
static_assert(offsetof(CpuLocal, exit_cr2) == CPU_EXIT_CR2);
static_assert(offsetof(CpuLocal, tss) == CPU_TSS);
static_assert(offsetof(CpuLocal, tss) + offsetof(Tss, rsp) == CPU_TSS_RSP0);

/// Point this CPU's GS base at `cpu` (before anything calls arch::cpu_id()).
void install_cpu_local(CpuLocal& cpu, CpuId id);

inline CpuLocal& this_cpu() {
    CpuLocal* cpu;
    asm volatile("mov %%gs:0, %0" : "=r"(cpu));
    return *cpu;
}

/// CPUs 0 .. count - 1 are online. Called once by the boot CPU, after the others are up and before the kernel
/// starts; never changes afterwards (no hot-plug).
void set_cpu_count(unsigned count);

/// The CPU-local block of `cpu`, for code that must reach another CPU's state (IPIs).
CpuLocal& cpu_local(CpuId cpu);

/// The boot CPU's instance.
extern CpuLocal boot_cpu; // NOLINT(bugprone-dynamic-static-initializers): a declaration, see cpu.cpp

} // namespace arch::x86
