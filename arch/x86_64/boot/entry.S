// Entry from the boot loader: 32-bit protected mode to 64-bit long mode in the higher half.
//
// Both protocols enter in 32-bit protected mode with paging off and flat segments (Multiboot2 spec 3.3; Xen's
// hvm_start_info / PVH ABI). They differ in registers only:
//   multiboot2_entry: EAX = 0x36d76289, EBX = physical address of the multiboot2 information
//   pvh_entry:        EBX = physical address of struct hvm_start_info
// Each records its protocol; the common path checks the CPU, builds the boot page tables, enables PAE, long
// mode and paging (with NX when the CPU has it), loads a 64-bit GDT and jumps to the higher half, which zeroes
// .bss, sets the 64 KiB boot stack and calls
//   x86_boot_main(protocol, eax_at_entry, boot_information_pa)
// The magic is checked there, where a clear message can be printed on every console.
//
// Boot page tables (all in .boot.bss, physical = virtual here):
//   PML4[0]   -> pdpt_ident[0]  -> pd_kernel: first 1 GiB identity (only for the jump to the higher half)
//   PML4[511] -> pdpt_high[510] -> pd_kernel: 0xffffffff80000000 + first 1 GiB (the kernel image)
//   PML4[256] -> pdpt_direct[0..3] -> pd_direct[0..3]: direct map of the first 4 GiB, NX
#include "arch/x86_64/layout.hpp"

#define PROTOCOL_MULTIBOOT2 0 /* kernel::boot::Protocol::multiboot2 */
#define PROTOCOL_PVH 1        /* kernel::boot::Protocol::pvh */

#define PTE_PRESENT 0x1
#define PTE_WRITE 0x2
#define PTE_LARGE 0x80
#define PTE_NX_HIGH 0x80000000 /* bit 63, in the upper dword */

#define CR0_PE (1 << 0)
#define CR0_WP (1 << 16)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)

#define COM1 0x3f8
#define DEBUG_EXIT_PORT 0xf4
#define EXIT_PANIC 0x12 /* arch::ExitStatus::panic */

    .section .boot.text, "ax"
    .code32

    .globl multiboot2_entry
multiboot2_entry:
    cli
    cld
    mov $PROTOCOL_MULTIBOOT2, %ebp
    mov %eax, %esi
    mov %ebx, %edi
    jmp common32

    .globl pvh_entry
pvh_entry:
    cli
    cld
    mov $PROTOCOL_PVH, %ebp
    xor %esi, %esi
    mov %ebx, %edi
    jmp common32

// ebp = protocol, esi = EAX at entry, edi = information pa. Preserved up to long_mode_low.
common32:
    // Zero .boot.bss (page tables and the 32-bit stack); loaders should have, but it costs nothing.
    mov $__boot_bss_start, %edx
1:  cmp $__boot_bss_end, %edx
    jae 2f
    movl $0, (%edx)
    add $4, %edx
    jmp 1b
2:  mov $boot_stack32_top, %esp

    // CPUID must exist (EFLAGS.ID toggles), report leaf 0x80000001, and have long mode.
    pushfl
    pop %eax
    mov %eax, %ecx
    xor $(1 << 21), %eax
    push %eax
    popfl
    pushfl
    pop %eax
    push %ecx
    popfl
    cmp %eax, %ecx
    je no_long_mode
    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb no_long_mode
    mov $0x80000001, %eax
    cpuid
    test $(1 << 29), %edx
    jz no_long_mode
    xor %eax, %eax
    test $(1 << 20), %edx
    setnz %al
    mov %eax, boot_nx_supported

    // pd_kernel: 512 x 2 MiB pages covering physical 0 .. 1 GiB, executable (the kernel image lives here).
    mov $boot_pd_kernel, %edx
    xor %ecx, %ecx
3:  mov %ecx, %eax
    shl $21, %eax
    or $(PTE_PRESENT | PTE_WRITE | PTE_LARGE), %eax
    mov %eax, (%edx, %ecx, 8)
    inc %ecx
    cmp $512, %ecx
    jb 3b

    // pd_direct: 2048 x 2 MiB pages covering physical 0 .. 4 GiB (four consecutive page directories).
    mov $boot_pd_direct, %edx
    xor %ecx, %ecx
4:  mov %ecx, %eax
    shl $21, %eax
    or $(PTE_PRESENT | PTE_WRITE | PTE_LARGE), %eax
    mov %eax, (%edx, %ecx, 8)
    inc %ecx
    cmp $2048, %ecx
    jb 4b

    // pdpt_direct[0..3] -> the four page directories of the direct map.
    mov $boot_pdpt_direct, %edx
    mov $boot_pd_direct, %eax
    or $(PTE_PRESENT | PTE_WRITE), %eax
    xor %ecx, %ecx
5:  mov %eax, (%edx, %ecx, 8)
    add $0x1000, %eax
    inc %ecx
    cmp $4, %ecx
    jb 5b

    mov $(boot_pd_kernel + PTE_PRESENT + PTE_WRITE), %eax
    mov %eax, boot_pdpt_ident
    mov %eax, boot_pdpt_high + 510 * 8

    mov $(boot_pdpt_ident + PTE_PRESENT + PTE_WRITE), %eax
    mov %eax, boot_pml4
    mov $(boot_pdpt_high + PTE_PRESENT + PTE_WRITE), %eax
    mov %eax, boot_pml4 + 511 * 8
    mov $(boot_pdpt_direct + PTE_PRESENT + PTE_WRITE), %eax
    mov %eax, boot_pml4 + 256 * 8
    // The direct map is data only: NX on its PML4 entry covers everything below it. Setting bit 63
    // without EFER.NXE would be a reserved-bit fault, so only when the CPU has NX.
    cmpl $0, boot_nx_supported
    je 6f
    movl $PTE_NX_HIGH, boot_pml4 + 256 * 8 + 4
6:
    mov $boot_pml4, %eax
    mov %eax, %cr3
    mov %cr4, %eax
    or $CR4_PAE, %eax
    mov %eax, %cr4

    mov $MSR_EFER, %ecx
    rdmsr
    or $EFER_LME, %eax
    cmpl $0, boot_nx_supported
    je 7f
    or $EFER_NXE, %eax
7:  wrmsr

    mov %cr0, %eax
    or $(CR0_PE | CR0_WP | CR0_PG), %eax
    mov %eax, %cr0

    lgdt boot_gdt_pointer
    ljmp $0x08, $long_mode_low

// Print the NUL-terminated string at %esi on COM1 (polled; no interrupts) and as white-on-red EGA text, then
// stop the machine as a panic. Used only where 64-bit code cannot run.
fail32:
    mov $COM1 + 3, %dx      // line control: DLAB, divisor 1 = 115200 baud, then 8N1
    mov $0x80, %al
    out %al, %dx
    mov $COM1, %dx
    mov $1, %al
    out %al, %dx
    mov $COM1 + 1, %dx
    xor %al, %al
    out %al, %dx
    mov $COM1 + 3, %dx
    mov $0x03, %al
    out %al, %dx
    mov $0xb8000, %edi
8:  lodsb
    test %al, %al
    jz 10f
    mov %al, %bl
    mov $0x10000, %ecx
    mov $COM1 + 5, %dx
9:  in %dx, %al             // wait (boundedly) for the transmitter holding register to empty
    test $0x20, %al
    loopz 9b
    mov $COM1, %dx
    mov %bl, %al
    out %al, %dx
    mov %bl, (%edi)
    movb $0x4f, 1(%edi)
    add $2, %edi
    jmp 8b
10: mov $DEBUG_EXIT_PORT, %dx
    mov $EXIT_PANIC, %eax
    out %eax, %dx
11: cli
    hlt
    jmp 11b

no_long_mode:
    mov $msg_no_long_mode, %esi
    jmp fail32

    .code64
long_mode_low:
    mov $0x10, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    xor %eax, %eax
    mov %eax, %fs
    mov %eax, %gs
    movabs $long_mode_high, %rax
    jmp *%rax

    .section .boot.rodata, "a"
msg_no_long_mode:
    .asciz "Janus: this CPU has no 64-bit long mode (CPUID 0x80000001 EDX bit 29); cannot boot.\r\n"

    // Temporary GDT for the switch: null, 64-bit kernel code (0x08), kernel data (0x10). The C++ entry
    // replaces it with the real one (arch/x86_64/gdt.cpp).
    .balign 8
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff
    .quad 0x00cf92000000ffff
boot_gdt_end:
boot_gdt_pointer:
    .short boot_gdt_end - boot_gdt - 1
    .long boot_gdt

    .section .boot.data, "aw"
    .balign 4
    .globl boot_nx_supported
boot_nx_supported:
    .long 0

    .section .boot.bss, "aw", @nobits
    .balign 4096
    .globl boot_pml4
boot_pml4: .skip 4096
boot_pdpt_ident: .skip 4096
boot_pdpt_high: .skip 4096
    .globl boot_pdpt_direct
boot_pdpt_direct: .skip 4096
boot_pd_kernel: .skip 4096
    .globl boot_pd_direct
boot_pd_direct: .skip 4 * 4096
boot_stack32: .skip 1024
boot_stack32_top:

    .text
long_mode_high:
    mov %ebp, %r12d        // protocol, EAX at entry, information pa: 32-bit moves zero-extend, and the
    mov %esi, %r13d        // upper halves of registers are undefined after the switch to 64-bit mode
    mov %edi, %r14d
    // Zero .bss, then run C++ on the 64 KiB boot stack (in .stacks, which needs no zeroing).
    mov $__bss_start, %rdi
    mov $__bss_end, %rcx
    sub %rdi, %rcx
    xor %eax, %eax
    rep stosb
    mov $boot_stack_top, %rsp
    xor %ebp, %ebp
    mov %r12d, %edi
    mov %r13d, %esi
    mov %r14d, %edx
    call x86_boot_main
12: cli
    hlt
    jmp 12b

    // The boot stack, above its guard page (kernel.ld, kernel_tables.cpp).
    .section .stacks, "aw", @nobits
    .balign 4096
    .globl boot_stack_guard
boot_stack_guard:
    .skip 4096
boot_stack:
    .skip JANUS_BOOT_STACK_SIZE
    .globl boot_stack_top
boot_stack_top:
