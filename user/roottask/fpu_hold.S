// Ring-3 helpers of fpu_tests.cpp: put a known x87/SSE/AVX state into the registers, keep it there across a
// kernel entry (a spin the timer preempts, or one syscall), and write back what the registers then hold. All
// of it in assembly, so that no compiler-generated SSE code touches the registers in between.
//
// struct VectorImage (fpu_image.hpp)          struct HoldAction (fpu_image.hpp)
//     0  xmm[16][16 bytes]                        0  mode: 0 spin, 1 one syscall
//   256  ymm_hi[16][16 bytes] (with AVX)          8  avx: also the upper halves of ymm0-15
//   512  x87[3] (fild'ed, fistp'ed back)         16  progress (spin: incremented each round)
//   536  mxcsr (4 bytes)                         24  stop (spin: ends when nonzero)
//   540  fcw (2 bytes)                           32  regs[7]: rax rdi rsi rdx r10 r8 r9 for the syscall
//   542  fsw (2 bytes, written only)             88  result[7]: the same registers after it

        .text
        .globl janus_fpu_hold
        .type janus_fpu_hold, @function
// void janus_fpu_hold(const VectorImage* in, VectorImage* out, HoldAction* action)
janus_fpu_hold:
        push    %rbx
        push    %rbp
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        mov     %rdi, %r12
        mov     %rsi, %r13
        mov     %rdx, %r14

        ldmxcsr 536(%r12)
        fninit
        fldcw   540(%r12)
        fildq   512(%r12)
        fildq   520(%r12)
        fildq   528(%r12)
        cmpq    $0, 8(%r14)
        je      .Lload_sse
        .irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
        vmovdqu \i*16(%r12), %xmm\i
        vinsertf128 $1, 256+\i*16(%r12), %ymm\i, %ymm\i
        .endr
        jmp     .Lloaded
.Lload_sse:
        .irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
        movdqu  \i*16(%r12), %xmm\i
        .endr
.Lloaded:
        cmpq    $1, 0(%r14)
        je      .Lsyscall
        mov     16(%r14), %rbx
        mov     24(%r14), %rbp
.Lspin:
        incq    (%rbx)
        cmpq    $0, (%rbp)
        je      .Lspin
        jmp     .Ldump
.Lsyscall:
        mov     32(%r14), %rax
        mov     40(%r14), %rdi
        mov     48(%r14), %rsi
        mov     56(%r14), %rdx
        mov     64(%r14), %r10
        mov     72(%r14), %r8
        mov     80(%r14), %r9
        syscall
        mov     %rax, 88(%r14)
        mov     %rdi, 96(%r14)
        mov     %rsi, 104(%r14)
        mov     %rdx, 112(%r14)
        mov     %r10, 120(%r14)
        mov     %r8, 128(%r14)
        mov     %r9, 136(%r14)
.Ldump:
        cmpq    $0, 8(%r14)
        je      .Ldump_sse
        .irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
        vextractf128 $1, %ymm\i, 256+\i*16(%r13)
        .endr
.Ldump_sse:
        .irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
        movdqu  %xmm\i, \i*16(%r13)
        .endr
        stmxcsr 536(%r13)
        fnstcw  540(%r13)
        fnstsw  542(%r13)
        fistpq  528(%r13)
        fistpq  520(%r13)
        fistpq  512(%r13)
        cmpq    $0, 8(%r14)
        je      .Lreturn
        vzeroupper                      // the compiled code after us uses legacy SSE
.Lreturn:
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbp
        pop     %rbx
        ret
        .size janus_fpu_hold, . - janus_fpu_hold

// A thread entry that records the registers it starts with before any other instruction can change them:
// FXSAVE64 (x87 control/status/tag, the x87 instruction and data pointers, MXCSR, xmm0-15) into
// janus_fpu_fresh_fxsave, the upper halves of ymm0-15 into janus_fpu_fresh_ymm_hi when janus_fpu_fresh_avx is
// set; then janus_fpu_fresh_done() (C++), which never returns.
        .globl janus_fpu_fresh_entry
        .type janus_fpu_fresh_entry, @function
janus_fpu_fresh_entry:
        fxsave64 janus_fpu_fresh_fxsave(%rip)
        cmpq    $0, janus_fpu_fresh_avx(%rip)
        je      1f
        .irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
        vextractf128 $1, %ymm\i, janus_fpu_fresh_ymm_hi+\i*16(%rip)
        .endr
1:      and     $-16, %rsp
        call    janus_fpu_fresh_done
        ud2
        .size janus_fpu_fresh_entry, . - janus_fpu_fresh_entry

// An x87 load at a known address, for the leak check: a thread that ran it leaves its address in FIP.
        .globl janus_fpu_x87_marker
        .type janus_fpu_x87_marker, @function
// void janus_fpu_x87_marker(const std::int64_t* value)
janus_fpu_x87_marker:
        fninit
        .globl janus_fpu_x87_marker_load
janus_fpu_x87_marker_load:
        fildq   (%rdi)
        ret
        .size janus_fpu_x87_marker, . - janus_fpu_x87_marker

        .bss
        .balign 16
        .globl janus_fpu_fresh_fxsave, janus_fpu_fresh_ymm_hi
janus_fpu_fresh_fxsave:
        .skip   512
janus_fpu_fresh_ymm_hi:
        .skip   256

        .section .note.GNU-stack, "", @progbits
