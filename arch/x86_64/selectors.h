// GDT selectors as plain macros, so that C++ (gdt.hpp), the entry assembly (user_entry.S) and hostsim's
// ring-3 engine (hostsim/usermode/engine.cpp) read one set of numbers.
//
// The order is the one SYSCALL and SYSRET impose (Intel SDM vol. 2, SYSCALL/SYSRET): SYSCALL loads
// CS = STAR[47:32] and SS = CS + 8; a 64-bit SYSRET loads SS = STAR[63:48] + 8 and CS = STAR[63:48] + 16,
// both with RPL 3. With STAR[47:32] = 0x08 and STAR[63:48] = 0x10:
//
//   0x08 kernel code (64-bit)
//   0x10 kernel data
//   0x18 user data   (selector 0x1b)
//   0x20 user code   (selector 0x23, 64-bit)
//   0x28 TSS         (two slots)
#pragma once

#define X86_SELECTOR_KERNEL_CODE 0x08
#define X86_SELECTOR_KERNEL_DATA 0x10
#define X86_SELECTOR_USER_DATA 0x1b
#define X86_SELECTOR_USER_CODE 0x23
#define X86_SELECTOR_TSS 0x28
/// GDT entries, the TSS's two included.
#define X86_GDT_ENTRIES 7
