// arch::run_user on x86-64.
#include "arch/user.hpp"

#include <cstddef>

#include "arch/x86_64/address_space.hpp"
#include "arch/x86_64/cpu_local.hpp"
#include "arch/x86_64/cpu_ops.hpp"
#include "arch/x86_64/entry_layout.hpp"
#include "arch/x86_64/gdt.hpp"
#include "arch/x86_64/interrupt.hpp"
#include "arch/x86_64/protection.hpp"
#include "arch/x86_64/user.hpp"

extern "C" std::uint32_t x86_user_enter(arch::UserFrame* frame);
extern "C" void x86_syscall_entry();

namespace arch {

static_assert(offsetof(UserFrame, rax) == FRAME_RAX && offsetof(UserFrame, rbx) == FRAME_RBX &&
                  offsetof(UserFrame, rcx) == FRAME_RCX && offsetof(UserFrame, rdx) == FRAME_RDX &&
                  offsetof(UserFrame, rsi) == FRAME_RSI && offsetof(UserFrame, rdi) == FRAME_RDI &&
                  offsetof(UserFrame, rbp) == FRAME_RBP && offsetof(UserFrame, r8) == FRAME_R8 &&
                  offsetof(UserFrame, r9) == FRAME_R9 && offsetof(UserFrame, r10) == FRAME_R10 &&
                  offsetof(UserFrame, r11) == FRAME_R11 && offsetof(UserFrame, r12) == FRAME_R12 &&
                  offsetof(UserFrame, r13) == FRAME_R13 && offsetof(UserFrame, r14) == FRAME_R14 &&
                  offsetof(UserFrame, r15) == FRAME_R15 && offsetof(UserFrame, rip) == FRAME_RIP &&
                  offsetof(UserFrame, rsp) == FRAME_RSP && offsetof(UserFrame, rflags) == FRAME_RFLAGS,
              "entry_layout.hpp must match arch::UserFrame");

namespace x86 {

namespace {

constexpr std::uint32_t msr_sysenter_cs = 0x174;
constexpr std::uint64_t efer_sce = 1;

// RFLAGS (Intel SDM vol. 1, 3.4.3). Ring 3 keeps the status flags, DF and ID; IF is forced on and bit 1 is
// always one. Everything else (TF, IOPL, NT, RF, VM, AC, VIF, VIP) is cleared.
constexpr std::uint64_t flag_cf = 1u << 0, flag_reserved1 = 1u << 1, flag_pf = 1u << 2, flag_af = 1u << 4,
                        flag_zf = 1u << 6, flag_sf = 1u << 7, flag_tf = 1u << 8, flag_if = 1u << 9,
                        flag_df = 1u << 10, flag_of = 1u << 11, flag_iopl = 3u << 12, flag_nt = 1u << 14,
                        flag_ac = 1u << 18, flag_id = 1u << 21;
constexpr std::uint64_t user_flags =
    flag_cf | flag_pf | flag_af | flag_zf | flag_sf | flag_df | flag_of | flag_id;
constexpr std::uint64_t forced_flags = flag_reserved1 | flag_if;
/// Cleared on syscall entry (IA32_FMASK): the kernel starts with interrupts masked, no single-step, DF and AC
/// clear.
constexpr std::uint64_t syscall_mask = flag_tf | flag_if | flag_df | flag_iopl | flag_nt | flag_ac;

/// First address above the lower canonical half: user code lives below it.
constexpr std::uint64_t user_limit = 0x0000'8000'0000'0000ull;

constexpr Vector gp_vector = 13, pf_vector = 14;

} // namespace

void init_user_entry() {
    wrmsr(msr_efer, rdmsr(msr_efer) | efer_sce);
    // SYSCALL loads CS = STAR[47:32] and SS = that + 8; SYSRET (64-bit) loads CS = STAR[63:48] + 16 and
    // SS = STAR[63:48] + 8, both with RPL 3 (Intel SDM vol. 2, SYSCALL/SYSRET): the GDT order of gdt.hpp.
    wrmsr(msr_star,
          (std::uint64_t{selector::kernel_code} << 32) | (std::uint64_t{selector::kernel_data} << 48));
    wrmsr(msr_lstar, reinterpret_cast<std::uintptr_t>(&x86_syscall_entry));
    wrmsr(msr_cstar, 0); // no 32-bit code segment exists, so compatibility-mode SYSCALL cannot happen
    wrmsr(msr_sfmask, syscall_mask);
    wrmsr(msr_sysenter_cs, 0);    // SYSENTER raises #GP
    wrmsr(msr_kernel_gs_base, 0); // the bases ring 3 starts with, whatever the firmware left
    wrmsr(msr_fs_base, 0);
    this_cpu().user_fs_base = this_cpu().user_gs_base = 0;
}

namespace {

/// Null DS, ES, FS and GS for ring 3, whatever the last thread here loaded (a selector is a register another
/// thread could read). Loading GS also replaces the GS base (the kernel's CPU-local pointer) on some CPUs:
/// put it back. Interrupts are masked here; an NMI stops the machine from its own known-good GS.
void null_user_selectors(CpuLocal& cpu) {
    std::uint16_t ds, es, fs, gs;
    asm volatile("mov %%ds, %0; mov %%es, %1; mov %%fs, %2; mov %%gs, %3"
                 : "=r"(ds), "=r"(es), "=r"(fs), "=r"(gs));
    if ((ds | es | fs | gs) == 0) return;
    asm volatile("mov %0, %%ds; mov %0, %%es; mov %0, %%fs; mov %0, %%gs" : : "r"(0) : "memory");
    wrmsr(msr_gs_base, reinterpret_cast<std::uintptr_t>(&cpu));
    wrmsr(msr_fs_base, cpu.user_fs_base); // a null FS load may have cleared it
}

/// The thread's fs and gs bases into the registers ring 3 will see, where they differ from what is there.
void load_user_bases(CpuLocal& cpu, const UserFrame& frame) {
    if (frame.fs_base != cpu.user_fs_base) {
        wrmsr(msr_fs_base, frame.fs_base);
        cpu.user_fs_base = frame.fs_base;
    }
    if (frame.gs_base != cpu.user_gs_base) {
        wrmsr(msr_kernel_gs_base, frame.gs_base); // swapgs puts it in place on the way up
        cpu.user_gs_base = frame.gs_base;
    }
}

/// What ring 3 may have set meanwhile (only with FSGSBASE can it set a base other than 0).
void save_user_bases(CpuLocal& cpu, UserFrame& frame) {
    if (!protection().fsgsbase) return;
    std::uint64_t fs;
    asm volatile("rdfsbase %0" : "=r"(fs));
    cpu.user_fs_base = frame.fs_base = fs;
    cpu.user_gs_base = frame.gs_base = rdmsr(msr_kernel_gs_base);
}

} // namespace

} // namespace x86

UserExit run_user(UserFrame& frame, AddressSpaceRoot space, const SyscallHook* hook) {
    using namespace x86;
    // A base that is not canonical would make the WRMSR below fault in ring 0, a kernel-half rip sysret.
    auto enterable = [](const UserFrame& f) {
        auto canonical = [](std::uint64_t a) { return a < user_limit || a >= ~(user_limit - 1); };
        return f.rip < user_limit && f.rsp < user_limit && canonical(f.fs_base) && canonical(f.gs_base);
    };
    if (!enterable(frame)) return {UserExit::Kind::exception, gp_vector, 0, 0};
    CpuLocal& cpu = this_cpu();
    load_address_space(cpu, space);
    null_user_selectors(cpu);
    for (;;) {
        frame.rflags = (frame.rflags & user_flags) | forced_flags;
        load_user_bases(cpu, frame);
        std::uint32_t why = x86_user_enter(&frame);
        save_user_bases(cpu, frame);
        if (why == USER_EXIT_SYSCALL) {
            if (!hook) return {UserExit::Kind::syscall, 0, 0, 0};
            // The thread stays: its segment selectors and bases are still the CPU's, its address space
            // loaded.
            if (hook->resume(hook->context)) {
                if (enterable(frame)) continue;
                return {UserExit::Kind::exception, gp_vector, 0, 0}; // as the first check above
            }
            return {UserExit::Kind::syscall_done, 0, 0, 0};
        }
        auto v = static_cast<Vector>(why);
        if (v < 32) return {UserExit::Kind::exception, v, cpu.exit_error, v == pf_vector ? cpu.exit_cr2 : 0};
        if (std::optional<Vector> delivered = dispatch_interrupt(v))
            return {UserExit::Kind::interrupt, *delivered, 0, 0};
        // Not the kernel's business (spurious, a timer not yet due, a shootdown): straight back.
    }
}

} // namespace arch
