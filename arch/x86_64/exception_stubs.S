// Entry stubs for the 32 CPU exception vectors. Each stub makes the stack uniform (a zero error code where the
// CPU pushes none), pushes its vector and jumps to the common path, which saves every general-purpose register
// into an ExceptionFrame (exception.hpp) and calls x86_exception(frame). That reports and stops the machine.
//
// Vectors with a CPU-pushed error code (Intel SDM vol. 3, table 6-1): 8, 10-14, 17, 21, 29, 30.

#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

    .text
    .balign 16
exception_common:
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
    mov %rsp, %rdi      // 22 quadwords pushed in all; the CPU aligned RSP to 16 first, so the call is aligned
    cld
    call x86_exception
1:  cli
    hlt
    jmp 1b

    .altmacro
    .macro stub vector
    .balign 16
exception_stub_\vector:
    .if HAS_ERROR_CODE(\vector)
    .else
    push $0
    .endif
    push $\vector
    jmp exception_common
    .endm

    .set vector, 0
    .rept 32
    stub %vector
    .set vector, vector + 1
    .endr

    .macro stub_address vector
    .quad exception_stub_\vector
    .endm

    .section .rodata
    .balign 8
    .globl x86_exception_stubs
x86_exception_stubs:
    .set vector, 0
    .rept 32
    stub_address %vector
    .set vector, vector + 1
    .endr
