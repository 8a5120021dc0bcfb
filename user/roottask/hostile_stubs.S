// Instruction stubs for hostile_ring3_tests.cpp: code a ring-3 thread runs to attack the kernel with one
// instruction each. Every stub starts with the instruction under test at its label; what follows it is never
// reached if the instruction faults as it must (the exception handler stops the thread there).

        .text

// int n for every vector 0..255, two bytes each (0xcd, n): the assembler would turn `int $3` into int3.
        .globl janus_int_n_stubs
        .balign 16
janus_int_n_stubs:
        .set vec, 0
        .rept 256
        .byte 0xcd, vec
        .set vec, vec + 1
        .endr
        ud2
1:      jmp 1b

// Privileged instructions: janus_priv_<name>, each followed by a ud2 and an endless loop.
.macro PRIV name, insn:vararg
        .globl janus_priv_\name
        .balign 16
janus_priv_\name:
        \insn
        ud2
1:      jmp 1b
.endm

        PRIV hlt, hlt
        PRIV cli, cli
        PRIV sti, sti
        PRIV in, inb $0x80, %al
        PRIV out, outb %al, $0x80
        PRIV in_dx, inl %dx, %eax
        PRIV write_cr3, movq %rax, %cr3
        PRIV read_cr3, movq %cr3, %rax
        PRIV write_cr0, movq %rax, %cr0
        PRIV write_cr4, movq %rax, %cr4
        PRIV wrmsr, wrmsr
        PRIV rdmsr, rdmsr
        PRIV lgdt, lgdt (%rsp)
        PRIV lidt, lidt (%rsp)
        PRIV lldt, lldt %ax
        PRIV ltr, ltr %ax
        PRIV invlpg, invlpg (%rsp)
        PRIV swapgs, swapgs
        PRIV clts, clts
        PRIV wbinvd, wbinvd
        PRIV invd, invd
        PRIV write_dr7, movq %rax, %dr7
        PRIV read_dr0, movq %dr0, %rax

// int3 (0xcc) and the one-byte form into: #GP through the DPL-0 gate, #UD in 64-bit mode.
        PRIV int3, int3
        PRIV into, .byte 0xce

// A syscall (pd_quota) made with a stack pointer outside user space or 0, then ud2.
.macro SYSCALL_RSP name, rsp
        .globl janus_syscall_rsp_\name
janus_syscall_rsp_\name:
        movabsq $\rsp, %rsp
        movl $15, %eax
        syscall
        ud2
1:      jmp 1b
.endm
        SYSCALL_RSP kernel, 0xffff800000000000
        SYSCALL_RSP top, 0xfffffffffffffff0
        SYSCALL_RSP non_canonical, 0x0000900000000000
        SYSCALL_RSP zero, 0

// Pushes with a bad stack pointer: the thread's own (thread_start's sp), one in the kernel half, a
// non-canonical one.
        .globl janus_push_own
janus_push_own:
        pushq %rax
        ud2
1:      jmp 1b
        .globl janus_push_kernel
janus_push_kernel:
        movabsq $0xffff800000001000, %rsp
        pushq %rax
        ud2
1:      jmp 1b
        .globl janus_push_non_canonical
janus_push_non_canonical:
        movabsq $0x0000900000001000, %rsp
        pushq %rax
        ud2
1:      jmp 1b

// A store into the thread's own text (mapped read/execute).
        .globl janus_write_text
janus_write_text:
        leaq janus_write_text(%rip), %rax
        movq $0, (%rax)
        ud2
1:      jmp 1b

// A page of its own whose last two bytes are a syscall: mapped at the last user page, the syscall's return
// address (rcx) is 0x0000800000000000, the first non-canonical address: sysret there would fault in ring 0 on
// Intel CPUs.
        .section .text.janus_top_page,"ax",@progbits
        .balign 4096
        .globl janus_top_page
janus_top_page:
        .fill 4094, 1, 0x90
        syscall
        .balign 4096

        .section .note.GNU-stack,"",@progbits
