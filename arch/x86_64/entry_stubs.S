// Entry stubs for all 256 IDT vectors. Each stub makes the stack uniform (a zero error code where the CPU
// pushes none), pushes its vector and jumps to entry_common, which looks at the privilege level it came from:
//
//  * from ring 3: the user thread run by run_user() entered the kernel. Its registers go straight into the
//    thread's UserFrame (%gs:CPU_USER_FRAME after swapgs) and run_user() resumes on its own kernel stack with
//    the vector (x86_user_exit, user_entry.S). NMI, #DF and #MC are the machine's, not the thread's: they stop
//    the machine as in the kernel.
//  * from ring 0: exceptions (vectors 0-31) save every register into an ExceptionFrame (exception.hpp) and
//    call x86_exception, which reports and stops; interrupts (32-255) save the same frame, call
//    x86_interrupt (interrupt.cpp) and return to the interrupted code.
//
// Vectors with a CPU-pushed error code (Intel SDM vol. 3, table 6-1): 8, 10-14, 17, 21, 29, 30.
#include "arch/x86_64/entry_layout.hpp"

#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

// The stack at entry_common, from the top: vector, error code, then the CPU's rip, cs, rflags, rsp, ss.
#define STACK_VECTOR 0
#define STACK_ERROR 8
#define STACK_RIP 16
#define STACK_CS 24
#define STACK_RFLAGS 32
#define STACK_RSP 40

    .macro save_registers
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
    .endm

    .macro restore_registers
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
    .endm

    .text
    .balign 16
entry_common:
    testb $3, STACK_CS(%rsp)
    jnz from_user
from_kernel:
    save_registers
    mov %rsp, %rdi      // 22 quadwords pushed in all; the CPU aligned RSP to 16 first, so the calls are aligned
    cld
    cmpq $32, 15 * 8 + STACK_VECTOR(%rsp)
    jb exception_in_kernel
    call x86_interrupt
    restore_registers
    add $16, %rsp       // vector and error code
    iretq
exception_in_kernel:
    call x86_exception  // reports, then stops the machine (exception.cpp makes sure GS is the kernel's)
1:  cli
    hlt
    jmp 1b

from_user:
    cmpq $2, STACK_VECTOR(%rsp)
    je from_kernel
    cmpq $8, STACK_VECTOR(%rsp)
    je from_kernel
    cmpq $18, STACK_VECTOR(%rsp)
    je from_kernel
    swapgs
    push %rax
    mov %gs:CPU_USER_FRAME, %rax
    mov %rbx, FRAME_RBX(%rax)
    mov %rcx, FRAME_RCX(%rax)
    mov %rdx, FRAME_RDX(%rax)
    mov %rsi, FRAME_RSI(%rax)
    mov %rdi, FRAME_RDI(%rax)
    mov %rbp, FRAME_RBP(%rax)
    mov %r8, FRAME_R8(%rax)
    mov %r9, FRAME_R9(%rax)
    mov %r10, FRAME_R10(%rax)
    mov %r11, FRAME_R11(%rax)
    mov %r12, FRAME_R12(%rax)
    mov %r13, FRAME_R13(%rax)
    mov %r14, FRAME_R14(%rax)
    mov %r15, FRAME_R15(%rax)
    pop %rbx
    mov %rbx, FRAME_RAX(%rax)
    mov STACK_RIP(%rsp), %rbx
    mov %rbx, FRAME_RIP(%rax)
    mov STACK_RFLAGS(%rsp), %rbx
    mov %rbx, FRAME_RFLAGS(%rax)
    mov STACK_RSP(%rsp), %rbx
    mov %rbx, FRAME_RSP(%rax)
    mov STACK_ERROR(%rsp), %rbx
    mov %rbx, %gs:CPU_EXIT_ERROR
    mov STACK_VECTOR(%rsp), %eax
    cmp $14, %eax
    jne 2f
    mov %cr2, %rbx      // before anything else can fault
    mov %rbx, %gs:CPU_EXIT_CR2
2:  jmp x86_user_exit

    .altmacro
    .macro stub vector
    .balign 16
entry_stub_\vector:
    .if HAS_ERROR_CODE(\vector)
    .else
    push $0
    .endif
    push $\vector
    jmp entry_common
    .endm

    .set vector, 0
    .rept 256
    stub %vector
    .set vector, vector + 1
    .endr

    .macro stub_address vector
    .quad entry_stub_\vector
    .endm

    .section .rodata
    .balign 8
    .globl x86_entry_stubs
x86_entry_stubs:
    .set vector, 0
    .rept 256
    stub_address %vector
    .set vector, vector + 1
    .endr
