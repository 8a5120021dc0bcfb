// Entering and leaving ring 3 (arch/user.hpp; C++ side in user.cpp).
//
// std::uint32_t x86_user_enter(arch::UserFrame* frame)
//   Saves the callee-saved registers on the kernel stack, records that stack in the CPU-local block (it is
//   also TSS.rsp0, where the CPU puts the interrupt frame when ring 3 is interrupted) and enters ring 3 with
//   every general-purpose register from `frame`. It "returns" through x86_user_exit when user code enters the
//   kernel again, with the vector that brought it there or USER_EXIT_SYSCALL, and with `frame` updated.
//
//   Two ways up: sysret loads RIP from RCX and RFLAGS from R11, so it can restore the frame exactly only when
//   frame.rcx == frame.rip and frame.r11 == frame.rflags, which is the state right after a syscall. Any other
//   frame (after an interrupt or exception, or a new thread) goes up through iretq, which restores all of it.
//   Either way no kernel value survives in a register. run_user() has checked that rip and rsp are canonical
//   user addresses (sysret with a non-canonical RCX would fault in ring 0 on Intel CPUs) and sanitised rflags.
//
// x86_syscall_entry (IA32_LSTAR)
//   The CPU arrives here with RCX = user RIP, R11 = user RFLAGS, still on the user stack, with the flags in
//   IA32_FMASK (IF, TF, DF, AC, NT, IOPL) cleared. Interrupts stay masked until run_user() returns, so using
//   RSP as the frame pointer in between is safe (NMI and #MC have their own IST stacks).
#include "arch/x86_64/entry_layout.hpp"
#include "arch/x86_64/selectors.h"

#define KERNEL_RFLAGS 0x2 /* only the always-one bit: IF, DF, AC, TF, NT clear */

    .text
    .balign 16
    .globl x86_user_enter
x86_user_enter:
    cli
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, %gs:CPU_RESUME_RSP
    mov %rsp, %gs:CPU_TSS_RSP0
    mov %rdi, %gs:CPU_USER_FRAME
    mov FRAME_RIP(%rdi), %rax
    cmp FRAME_RCX(%rdi), %rax
    jne enter_by_iret
    mov FRAME_RFLAGS(%rdi), %rax
    cmp FRAME_R11(%rdi), %rax
    jne enter_by_iret

    mov %rdi, %rsp
    mov FRAME_RAX(%rsp), %rax
    mov FRAME_RBX(%rsp), %rbx
    mov FRAME_RCX(%rsp), %rcx
    mov FRAME_RDX(%rsp), %rdx
    mov FRAME_RSI(%rsp), %rsi
    mov FRAME_RDI(%rsp), %rdi
    mov FRAME_RBP(%rsp), %rbp
    mov FRAME_R8(%rsp), %r8
    mov FRAME_R9(%rsp), %r9
    mov FRAME_R10(%rsp), %r10
    mov FRAME_R11(%rsp), %r11
    mov FRAME_R12(%rsp), %r12
    mov FRAME_R13(%rsp), %r13
    mov FRAME_R14(%rsp), %r14
    mov FRAME_R15(%rsp), %r15
    mov FRAME_RSP(%rsp), %rsp
    swapgs
    sysretq

enter_by_iret:
    pushq $X86_SELECTOR_USER_DATA
    pushq FRAME_RSP(%rdi)
    pushq FRAME_RFLAGS(%rdi)
    pushq $X86_SELECTOR_USER_CODE
    pushq FRAME_RIP(%rdi)
    mov FRAME_RAX(%rdi), %rax
    mov FRAME_RBX(%rdi), %rbx
    mov FRAME_RCX(%rdi), %rcx
    mov FRAME_RDX(%rdi), %rdx
    mov FRAME_RSI(%rdi), %rsi
    mov FRAME_RBP(%rdi), %rbp
    mov FRAME_R8(%rdi), %r8
    mov FRAME_R9(%rdi), %r9
    mov FRAME_R10(%rdi), %r10
    mov FRAME_R11(%rdi), %r11
    mov FRAME_R12(%rdi), %r12
    mov FRAME_R13(%rdi), %r13
    mov FRAME_R14(%rdi), %r14
    mov FRAME_R15(%rdi), %r15
    mov FRAME_RDI(%rdi), %rdi
    swapgs
    iretq

    .balign 16
    .globl x86_syscall_entry
x86_syscall_entry:
    swapgs
    mov %rsp, %gs:CPU_SCRATCH
    mov %gs:CPU_USER_FRAME, %rsp
    mov %rax, FRAME_RAX(%rsp)
    mov %rbx, FRAME_RBX(%rsp)
    mov %rcx, FRAME_RCX(%rsp)
    mov %rdx, FRAME_RDX(%rsp)
    mov %rsi, FRAME_RSI(%rsp)
    mov %rdi, FRAME_RDI(%rsp)
    mov %rbp, FRAME_RBP(%rsp)
    mov %r8, FRAME_R8(%rsp)
    mov %r9, FRAME_R9(%rsp)
    mov %r10, FRAME_R10(%rsp)
    mov %r11, FRAME_R11(%rsp)
    mov %r12, FRAME_R12(%rsp)
    mov %r13, FRAME_R13(%rsp)
    mov %r14, FRAME_R14(%rsp)
    mov %r15, FRAME_R15(%rsp)
    mov %rcx, FRAME_RIP(%rsp)
    mov %r11, FRAME_RFLAGS(%rsp)
    mov %gs:CPU_SCRATCH, %rax
    mov %rax, FRAME_RSP(%rsp)
    mov $USER_EXIT_SYSCALL, %eax
    // fall through

// Back on run_user()'s stack with %eax = why; GS is the kernel's. Called by entry_stubs.S too.
    .globl x86_user_exit
x86_user_exit:
    mov %gs:CPU_RESUME_RSP, %rsp
    pushq $KERNEL_RFLAGS
    popfq
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    ret
