// Where an application processor starts: the target of the start-up IPI, in real mode, to long mode in the
// kernel's higher half (Intel SDM vol. 3, 9.4.4 "MP initialization example"; 10.8.5 for the mode switch).
//
// This is not run in place. ap_start.cpp copies x86_ap_trampoline .. x86_ap_trampoline_end into a page below
// 1 MiB (the start-up IPI's vector is that page's number) and fills the parameters of trampoline_layout.h. The
// AP starts at CS = page << 8, IP = 0. Every address is taken relative to the page's base, kept in EBX, so the
// code runs from any page. The boot tables of boot/entry.S still map the first GiB 1:1 (this page) and the
// kernel image at the top: they carry the AP into long mode, and x86_ap_entry switches to the kernel's own.
#include "arch/x86_64/smp/trampoline_layout.h"

#define CR0_PE (1 << 0)
#define CR0_WP (1 << 16)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define MSR_EFER 0xc0000080

    .section .rodata.ap_trampoline, "a"
    .globl x86_ap_trampoline, x86_ap_trampoline_end
    .code16
x86_ap_trampoline:
    jmp ap_16
    .org TRAMPOLINE_CODE
ap_16:
    cli
    cld
    xor %ebx, %ebx
    mov %cs, %bx
    mov %bx, %ds
    shl $4, %ebx                       // EBX = the page's physical address, from here to the end
    lgdtl TRAMPOLINE_GDTR              // DS-relative: offset 0x08 of this page
    mov %cr0, %eax
    or $CR0_PE, %eax
    mov %eax, %cr0
    ljmpl *TRAMPOLINE_FAR32

    .code32
    .globl x86_ap_trampoline_32
x86_ap_trampoline_32:
    mov $TRAMPOLINE_SEL_DATA, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    mov %cr4, %eax
    or $CR4_PAE, %eax
    mov %eax, %cr4
    mov TRAMPOLINE_BOOT_CR3(%ebx), %eax
    mov %eax, %cr3
    mov $MSR_EFER, %ecx
    rdmsr
    or TRAMPOLINE_EFER(%ebx), %eax
    wrmsr
    mov %cr0, %eax
    or $(CR0_PE | CR0_WP | CR0_PG), %eax
    mov %eax, %cr0
    ljmpl *TRAMPOLINE_FAR64(%ebx)

    .code64
    .globl x86_ap_trampoline_64
x86_ap_trampoline_64:
    // Still on the 1:1 mapping of this page. The upper halves of registers are undefined after the switch.
    mov %ebx, %ebx
    mov TRAMPOLINE_KERNEL_CR3(%rbx), %rdx
    mov TRAMPOLINE_STACK(%rbx), %rsi
    mov TRAMPOLINE_CPU(%rbx), %rdi
    mov TRAMPOLINE_ENTRY(%rbx), %rax
    jmp *%rax
x86_ap_trampoline_end:

    .text
// rdi = CpuLocal*, rsi = stack top, rdx = kernel CR3. Runs in the higher half, which the boot tables and the
// kernel's tables both map, so the CR3 switch cannot pull the code away from under itself; the stack exists
// only in the kernel's tables, so it is taken after the switch.
    .globl x86_ap_entry
x86_ap_entry:
    mov %rdx, %cr3
    mov %rsi, %rsp
    xor %ebp, %ebp
    call x86_ap_main
1:  cli
    hlt
    jmp 1b
