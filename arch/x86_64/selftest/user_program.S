// The ring-3 code of janus.selftest=user: position-independent snippets, copied as bytes into the user code
// page. The kernel starts each with the registers it wants (frame) at the snippet's offset from
// x86_selftest_user_program; each ends by entering the kernel in a known way.
    .section .rodata.user_program, "a"
    .balign 16

    .globl x86_selftest_user_program, x86_selftest_user_program_end
    .globl ring3_syscall_twice, ring3_ud, ring3_spin, ring3_load, ring3_store, ring3_divide, ring3_cli
    .globl ring3_x87, ring3_sse, ring3_int, ring3_sgdt, ring3_flags, ring3_trap_flag, ring3_trap_flag_end
    .globl ring3_load_selectors, ring3_read_selectors

x86_selftest_user_program:
ring3_syscall_twice:       // the second syscall shows the registers as sysret left them
    syscall
    syscall
    ud2
ring3_ud:                  // #UD shows every register, rcx and r11 included
    ud2
ring3_spin:                // only an interrupt ends this
    jmp ring3_spin
ring3_load:                // rax = [rax], reported by syscall
    mov (%rax), %rax
    syscall
    ud2
ring3_store:               // [rax] = rbx
    mov %rbx, (%rax)
    ud2
ring3_divide:              // rdx:rax / rcx
    div %rcx
    ud2
ring3_cli:                 // privileged at CPL 3 with IOPL 0
    cli
    ud2
ring3_x87:                 // fld1 (2 bytes), then ud2
    fld1
    ud2
ring3_sse:                 // xorps (3 bytes), then ud2
    xorps %xmm0, %xmm0
    ud2
ring3_int:                 // gates have DPL 0
    int $0x40
    ud2
ring3_sgdt:                // faults under UMIP; would otherwise store the GDT's kernel address at [rax]
    sgdt (%rax)
    syscall
    ud2
ring3_flags:               // rax = RFLAGS as ring 3 sees them
    pushfq
    pop %rax
    syscall
    ud2
ring3_load_selectors:      // ds, es, fs, gs := ss (the user data selector), then into the kernel
    mov %ss, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %fs
    mov %ax, %gs
    syscall
    ud2
ring3_read_selectors:      // rax = ds | es << 16 | fs << 32 | gs << 48, reported by syscall
    mov %gs, %ax
    movzwl %ax, %eax
    shl $16, %rax
    mov %fs, %cx
    movzwl %cx, %ecx
    or %rcx, %rax
    shl $16, %rax
    mov %es, %cx
    movzwl %cx, %ecx
    or %rcx, %rax
    shl $16, %rax
    mov %ds, %cx
    movzwl %cx, %ecx
    or %rcx, %rax
    syscall
    ud2
ring3_trap_flag:          // single-step trap armed by ring 3 itself, right before a syscall
    pushfq
    orq $0x100, (%rsp)
    popfq
    syscall
ring3_trap_flag_end:
    ud2
x86_selftest_user_program_end:
