// _start: the ELF entry point of every Janus user program (see start.hpp for the contract).
// The linker script (user.ld) places .text.start first, so the entry is the lowest text address.

#include "user/lib/exit_marker.h"

        .section .text.start, "ax", @progbits
        .globl _start
        .type _start, @function
_start:
        // Own stack: the kernel need not provide one. 16-byte aligned before the call, as the SysV ABI wants.
        lea     janus_user_stack_top(%rip), %rsp
        xor     %ebp, %ebp              // terminates frame-pointer walks (debuggers, backtraces)
        // rdi, rsi, rdx still hold the start words: janus_user_start(word0, word1, word2).
        call    janus_user_start
        // janus_user_start never returns; should it, fault rather than run into whatever follows.
        ud2
        .size _start, . - _start

        .section .bss.janus_user_stack, "aw", @nobits
        .balign 16
        .globl janus_user_stack_bottom
janus_user_stack_bottom:
        .skip   65536
        .globl janus_user_stack_top
janus_user_stack_top:

// janus_user_exit(int64_t status): the exit convention of start.hpp. rdi already holds the status.
        .text
        .globl janus_user_exit
        .type janus_user_exit, @function
janus_user_exit:
        movabs  $JANUS_USER_EXIT_MARKER, %rax
        .globl janus_user_exit_fault
janus_user_exit_fault:
        ud2
        jmp     janus_user_exit_fault   // never resumed; if it were, fault again
        .size janus_user_exit, . - janus_user_exit

        .section .note.GNU-stack, "", @progbits
