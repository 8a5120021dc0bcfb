// Host-test stand-in for the `syscall` instruction (see syscall_test.cpp): records the registers a stub loaded,
// answers with the scripted reply (rax and the six registers results may come back in) and clobbers rcx and
// r11 as syscall/sysret do. Every other register is left alone, as the ABI promises.

        .text
        .globl janus_syscall_trap
        .type janus_syscall_trap, @function
janus_syscall_trap:
        mov     %rax, janus_trap_seen+0(%rip)
        mov     %rdi, janus_trap_seen+8(%rip)
        mov     %rsi, janus_trap_seen+16(%rip)
        mov     %rdx, janus_trap_seen+24(%rip)
        mov     %r10, janus_trap_seen+32(%rip)
        mov     %r8, janus_trap_seen+40(%rip)
        mov     %r9, janus_trap_seen+48(%rip)
        addq    $1, janus_trap_count(%rip)
        mov     janus_trap_reply+0(%rip), %rax
        mov     janus_trap_reply+8(%rip), %rdi
        mov     janus_trap_reply+16(%rip), %rsi
        mov     janus_trap_reply+24(%rip), %rdx
        mov     janus_trap_reply+32(%rip), %r10
        mov     janus_trap_reply+40(%rip), %r8
        mov     janus_trap_reply+48(%rip), %r9
        mov     janus_trap_reply+32(%rip), %r10
        mov     janus_trap_reply+40(%rip), %r8
        mov     janus_trap_reply+48(%rip), %r9
        movabs  $0xdeadc0dedeadc0de, %rcx
        mov     %rcx, %r11
        ret
        .size janus_syscall_trap, . - janus_syscall_trap

        .data
        .balign 8
        .globl janus_trap_seen, janus_trap_reply, janus_trap_count
janus_trap_seen:                        // rax rdi rsi rdx r10 r8 r9 as the stub left them
        .skip   56
janus_trap_reply:                       // rax rdi rsi rdx r10 r8 r9 to hand back
        .skip   56
janus_trap_count:
        .quad   0

        .section .note.GNU-stack, "", @progbits
