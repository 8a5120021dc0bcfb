// Byte offsets that the entry assembly (entry_stubs.S, user_entry.S) uses to reach C++ objects: the CPU-local
// block through %gs and arch::UserFrame. The numbers live here once; cpu_local.hpp and user.cpp check them
// against the C++ layouts with static_assert, so a change to either side fails to compile, never to run.
#pragma once

// arch::x86::CpuLocal (cpu_local.hpp)
#define CPU_SELF 0        /* CpuLocal*: the block's own address */
#define CPU_USER_FRAME 8  /* arch::UserFrame* of the thread run_user() is running */
#define CPU_RESUME_RSP 16 /* kernel stack pointer run_user() resumes on when user code enters the kernel */
#define CPU_SCRATCH 24    /* the user stack pointer during the syscall entry, before it reaches the frame */
#define CPU_EXIT_ERROR 32 /* error code of the exception that ended the user run */
#define CPU_EXIT_CR2 40   /* CR2 of a user page fault, read before anything can fault again */
#define CPU_TSS_RSP0 (CPU_TSS + 4) /* Tss::rsp[0]: the stack the CPU switches to on entry from ring 3 */

// arch::UserFrame (arch/user.hpp)
#define FRAME_RAX 0
#define FRAME_RBX 8
#define FRAME_RCX 16
#define FRAME_RDX 24
#define FRAME_RSI 32
#define FRAME_RDI 40
#define FRAME_RBP 48
#define FRAME_R8 56
#define FRAME_R9 64
#define FRAME_R10 72
#define FRAME_R11 80
#define FRAME_R12 88
#define FRAME_R13 96
#define FRAME_R14 104
#define FRAME_R15 112
#define FRAME_RIP 120
#define FRAME_RSP 128
#define FRAME_RFLAGS 136

// What x86_user_enter() returns: the vector that ended the run, or this flag for `syscall`.
#define USER_EXIT_SYSCALL 0x100

// Placed right after the fields above (48 bytes), 8-aligned.
#define CPU_TSS 48
