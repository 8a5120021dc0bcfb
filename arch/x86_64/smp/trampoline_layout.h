// The application-processor trampoline's page (ap_trampoline.S), as the bring-up code (ap_start.cpp) fills
// it. The numbers live here once; ap_start.cpp checks them against its C++ view with static_assert.
//
// The page holds, at these byte offsets from its start (= the SIPI vector << 12, below 1 MiB):
//   0x00  a short jump over the parameters to the 16-bit code
//   0x08  the parameters below, written by the boot CPU before each start-up IPI
//   0x80  the code, copied from the kernel image once
#pragma once

// An aligned table:
// clang-format off
#define TRAMPOLINE_GDTR 0x08        /* u16 limit, u32 base: the trampoline's own GDT (page + TRAMPOLINE_GDT) */
#define TRAMPOLINE_FAR32 0x10       /* u32 offset, u16 selector: the 32-bit code (page + offset of ap_32) */
#define TRAMPOLINE_FAR64 0x18       /* u32 offset, u16 selector: the 64-bit code (page + offset of ap_64) */
#define TRAMPOLINE_BOOT_CR3 0x20    /* u32: boot/entry.S's tables, which map this page 1:1 and the image */
#define TRAMPOLINE_EFER 0x24        /* u32: EFER bits to set (LME, NXE where the CPU has NX) */
#define TRAMPOLINE_ENTRY 0x28       /* u64: x86_ap_entry, in the higher half */
#define TRAMPOLINE_KERNEL_CR3 0x30  /* u64: the kernel's own top-level table */
#define TRAMPOLINE_STACK 0x38       /* u64: top of the AP's kernel stack (mapped only in the kernel's tables) */
#define TRAMPOLINE_CPU 0x40         /* u64: the AP's CpuLocal block */
#define TRAMPOLINE_GDT 0x48         /* 4 descriptors: null, code32 (0x08), data (0x10), code64 (0x18) */
#define TRAMPOLINE_CODE 0x80        /* where the 16-bit code begins */
#define TRAMPOLINE_SIZE 0x1000      /* one page; the code must end before it */
// clang-format on

#define TRAMPOLINE_SEL_CODE32 0x08
#define TRAMPOLINE_SEL_DATA 0x10
#define TRAMPOLINE_SEL_CODE64 0x18
