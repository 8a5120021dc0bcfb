// The two boot headers carried by the one ELF64 image. Both are read by loaders from the file, before any
// kernel code runs.
//
// * Multiboot2 header (Multiboot2 specification, section 3.1): GRUB searches the first 32 KiB of the file for
//   it at an 8-byte aligned offset. The linker script puts .multiboot2 first in the first segment.
// * PVH note (Xen's public elfnote.h, XEN_ELFNOTE_PHYS32_ENTRY = 18): QEMU's -kernel and other VMMs enter the
//   ELF at this 32-bit physical address. There is deliberately no multiboot1 header: QEMU refuses an ELF64
//   that carries one.

#define MB2_MAGIC 0xe85250d6
#define MB2_ARCH_I386 0
#define MB2_TAG_END 0
#define MB2_TAG_ENTRY_ADDRESS 3
#define MB2_TAG_FRAMEBUFFER 5
#define MB2_TAG_OPTIONAL 1
#define XEN_ELFNOTE_PHYS32_ENTRY 18

    .section .multiboot2, "a"
    .balign 8
multiboot2_header:
    .long MB2_MAGIC
    .long MB2_ARCH_I386
    .long multiboot2_header_end - multiboot2_header
    .long 0x100000000 - (MB2_MAGIC + MB2_ARCH_I386 + (multiboot2_header_end - multiboot2_header))

    // Where GRUB jumps (32-bit protected mode, EAX = magic, EBX = information). Required because the ELF's
    // own entry would be read as a 64-bit address by some loaders.
    .balign 8
    .short MB2_TAG_ENTRY_ADDRESS, 0
    .long 12
    .long multiboot2_entry

    // A framebuffer of any size and depth, or text mode (0 = no preference). Optional, so a loader that
    // cannot provide one still boots the kernel; it then prints to serial and, under BIOS, EGA text.
    .balign 8
    .short MB2_TAG_FRAMEBUFFER, MB2_TAG_OPTIONAL
    .long 20
    .long 0, 0, 0

    .balign 8
    .short MB2_TAG_END, 0
    .long 8
multiboot2_header_end:

    // ELF note: namesz, descsz, type, name "Xen\0", then the entry as a 64-bit field (the width Linux and
    // QEMU use; the value itself is a 32-bit physical address).
    .section .note.Xen, "a", @note
    .balign 4
    .long 4
    .long 8
    .long XEN_ELFNOTE_PHYS32_ENTRY
    .asciz "Xen"
    .balign 4
    .quad pvh_entry
