// The exit probe: how init learns a component's exit status (docs/init.md "What init does").
//
// A component ends by the user runtime's exit convention (user/lib/start.hpp): ud2 with exit_marker in rax
// and the status in rdi. The #UD reaches init as an exception message, which carries the vector, error code,
// ip and sp but no other register. So init answers every #UD by resuming the thread here (the answer's word 0
// is the new ip), in this page of init's own text that init maps read/execute into every component at
// layout::probe. The probe compares rax with the marker without touching memory or the stack, and raises a
// second #UD: at init_exit_probe_status with rsp = the status (rdi, a sign-extended int: always canonical)
// when rax held the marker, at init_exit_probe_other (rsp 0) when it did not (a genuine #UD).
//
// The page holds nothing else (aligned and padded to a whole page), so components see no other byte of init.

#include "user/lib/exit_marker.h"

        .section .text.init_exit_probe, "ax", @progbits
        .balign 4096
        .globl init_exit_probe
init_exit_probe:
        movabs  $JANUS_USER_EXIT_MARKER, %rcx
        cmp     %rcx, %rax
        jne     1f
        mov     %rdi, %rsp
        .globl init_exit_probe_status
init_exit_probe_status:
        ud2
1:      xor     %esp, %esp
        .globl init_exit_probe_other
init_exit_probe_other:
        ud2
        .balign 4096, 0xcc
        .globl init_exit_probe_end
init_exit_probe_end:

        .section .note.GNU-stack, "", @progbits
