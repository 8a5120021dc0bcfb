// Arch contract: running ring-3 code.
//
// The kernel runs user threads the way a hypervisor runs virtual CPUs: arch::run_user() enters user mode with
// a thread's saved registers and returns when that user code next enters the kernel — a syscall, a CPU
// exception or an interrupt — with the frame updated to the user state at that moment. The kernel therefore
// needs one stack per CPU and never blocks inside a kernel call: a blocked thread is just a saved frame. The
// same loop works under hostsim, where user code runs in an emulator or as a test's logical actor.
//
// No kernel register contents reach user space: every general-purpose register on return to ring 3 comes from
// the frame, and the extended registers (x87, SSE, AVX: the FPU and vector state) from the thread's
// ExtendedState, which the kernel loads before each run and saves after it (eager switching: no lazy trap,
// no register of another thread left behind for the next one to read). The kernel itself never uses those
// registers.
#pragma once

#include <cstddef>
#include <cstdint>

#include "arch/ipi.hpp"
#include "arch/phys.hpp"
#include "arch/tlb.hpp"

namespace arch {

/// The user-visible register state of a thread. fs_base and gs_base are the thread's own segment bases
/// (thread-local storage): 0 at start, changed by ring 3 itself where the CPU lets it (x86 FSGSBASE). The
/// segment selectors are not part of it: ring 3 always starts a run with null DS, ES, FS and GS, so nothing a
/// thread loads there reaches another.
struct UserFrame {
    std::uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
    std::uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    std::uint64_t rip, rsp, rflags;
    std::uint64_t fs_base, gs_base;
};

/// The syscall convention (docs/abi.md): where a frame holds a syscall's number, its arguments a0..a5, its
/// status and its results r0..r5 (the same registers as the arguments). Portable kernel code reaches them
/// only through these, never by register name. Constant indices fold to one field access.
inline constexpr std::uint64_t UserFrame::*syscall_registers[6] = {
    &UserFrame::rdi, &UserFrame::rsi, &UserFrame::rdx, &UserFrame::r10, &UserFrame::r8, &UserFrame::r9};

constexpr std::uint64_t& syscall_number(UserFrame& f) {
    return f.rax;
}
constexpr std::uint64_t syscall_number(const UserFrame& f) {
    return f.rax;
}
constexpr std::uint64_t& syscall_status(UserFrame& f) {
    return f.rax;
}
/// a_i (i < 6).
constexpr std::uint64_t& syscall_arg(UserFrame& f, unsigned i) {
    return f.*syscall_registers[i];
}
constexpr std::uint64_t syscall_arg(const UserFrame& f, unsigned i) {
    return f.*syscall_registers[i];
}
/// r_i (i < 6).
constexpr std::uint64_t& syscall_result(UserFrame& f, unsigned i) {
    return f.*syscall_registers[i];
}
/// The three start words a thread finds when the kernel starts it at its entry point (docs/user.md "Entry"):
/// the registers of a0..a2.
constexpr std::uint64_t& start_word(UserFrame& f, unsigned i) {
    return f.*syscall_registers[i];
}
/// Where the thread resumes (its instruction pointer) and its stack pointer: what thread_start sets, fault
/// messages report and a fault reply may change.
constexpr std::uint64_t& user_ip(UserFrame& f) {
    return f.rip;
}
constexpr std::uint64_t user_ip(const UserFrame& f) {
    return f.rip;
}
constexpr std::uint64_t& user_sp(UserFrame& f) {
    return f.rsp;
}
constexpr std::uint64_t user_sp(const UserFrame& f) {
    return f.rsp;
}

/// Why run_user() returned.
struct UserExit {
    enum class Kind : std::uint8_t {
        syscall,   ///< the `syscall` instruction; frame.rip is the instruction after it
        exception, ///< a CPU exception; frame.rip is the faulting instruction (for faults) as the CPU reports
                   ///< it
        interrupt, ///< an external interrupt or IPI arrived while user code ran; `vector` says which. The
                   ///< kernel's interrupt handler (arch/ipi.hpp) has already run for it when run_user
                   ///< returns.
        syscall_done, ///< the `syscall` instruction, which the SyscallHook already performed and did not
                      ///< resume (what that means for the kernel's own state is the hook's business)
    };

    Kind kind;
    Vector vector;               ///< exception or interrupt vector
    std::uint64_t error_code;    ///< exceptions that push one (#PF, #GP, ...), else 0
    std::uint64_t fault_address; ///< #PF: the linear address (CR2), else 0
};

/// The address space to run in: the physical address of its top-level page table and its tag.
struct AddressSpaceRoot {
    PhysAddr top_table;
    AddressSpaceId asid;
};

/// A thread's extended register state in the machine's own save format, kept in kernel memory between runs.
/// One page holds every format a port uses (x86-64 enables only state components that fit: x87, SSE, AVX,
/// AVX-512); its size is part of the ABI (janus::abi::charge::extended_state).
inline constexpr std::size_t extended_state_bytes = 4096;
struct alignas(64) ExtendedState {
    std::byte bytes[extended_state_bytes];
};

/// Fill `state` with the architectural initial state, what a new thread starts with (x86: x87 control word
/// 0x37f with every register empty, MXCSR 0x1f80, every vector register zero).
void extended_state_init(ExtendedState& state);
/// This CPU's user extended registers := `state` (the thread about to run here). Kernel lock held.
void extended_state_load(const ExtendedState& state);
/// `state` := this CPU's user extended registers (the thread that just ran here). Kernel lock held.
void extended_state_save(ExtendedState& state);

/// Prepare a new, zeroed top-level page table for use as a user address space: the machine fills in what
/// every address space must share (on x86-64 the kernel half, top-level entries 256..511; nothing under
/// hostsim). Kernel mappings live only in top-level slots that exist from boot on, so a table prepared once
/// stays complete.
void prepare_user_top_table(PhysAddr top_table);

/// Every CPU in `cpus` but the executing one stops using the frame it runs user code from, and this returns
/// once each has: a CPU running ring 3 leaves it (run_user returns with UserExit::Kind::interrupt and vector
/// `reenter`, which the kernel treats as "decide again") after writing the user state into that frame, and
/// does not touch the frame again until the kernel passes it to run_user anew. The kernel calls it before it
/// rewrites or frees the frame of a thread another CPU may still run (it unloaded it under the lock; that
/// CPU's entry path writes the frame without the lock). The rules of tlb_shootdown about masked interrupts
/// and concurrent initiators apply.
void leave_user(CpuMask cpus, Vector reenter);

/// The kernel's short way back to user mode after a syscall. run_user calls `resume(context)` on the
/// executing CPU, interrupts masked, with the frame holding the syscall (rip after it). True: the kernel
/// performed it and the same frame continues in user mode at once, run_user does not return (nothing of the
/// frame is saved or reloaded but what the CPU holds anyway); false: run_user returns
/// UserExit::Kind::syscall_done. Both worlds call it at every syscall when given one, so the kernel's fast
/// path is what the tests run.
struct SyscallHook {
    bool (*resume)(void* context);
    void* context;
};

/// Run user code on the executing CPU from `frame` in `space` until it enters the kernel again (with `hook`:
/// until it enters the kernel for a reason the hook does not resume). Called with
/// interrupts masked; user code runs with interrupts enabled. rflags from the frame is sanitised (IF forced
/// on, IOPL 0, no TF/NT/VM/AC), rip/rsp must be canonical user addresses or the return itself faults as #GP
/// and is reported as an exception of that thread. Returns with interrupts masked.
UserExit run_user(UserFrame& frame, AddressSpaceRoot space, const SyscallHook* hook = nullptr);

} // namespace arch
