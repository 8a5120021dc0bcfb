// void x86_selftest_poisoned_call(void (*fn)(void*), void* argument)
// Calls fn(argument) with every other general-purpose register holding a recognisable kernel value, so a
// register that run_user() forgets to load from the frame shows up in ring 3 as 0x6b6b... (the values are
// 0x6b6b6b6b6b6b6b00 | register number).
    .text
    .globl x86_selftest_poisoned_call
x86_selftest_poisoned_call:
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    sub $8, %rsp
    mov %rdi, %rax
    mov %rsi, %rdi
    movabs $0x6b6b6b6b6b6b6b03, %rbx
    movabs $0x6b6b6b6b6b6b6b05, %rbp
    movabs $0x6b6b6b6b6b6b6b02, %rcx
    movabs $0x6b6b6b6b6b6b6b04, %rdx
    movabs $0x6b6b6b6b6b6b6b06, %rsi
    movabs $0x6b6b6b6b6b6b6b08, %r8
    movabs $0x6b6b6b6b6b6b6b09, %r9
    movabs $0x6b6b6b6b6b6b6b0a, %r10
    movabs $0x6b6b6b6b6b6b6b0b, %r11
    movabs $0x6b6b6b6b6b6b6b0c, %r12
    movabs $0x6b6b6b6b6b6b6b0d, %r13
    movabs $0x6b6b6b6b6b6b6b0e, %r14
    movabs $0x6b6b6b6b6b6b6b0f, %r15
    call *%rax
    add $8, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    ret
