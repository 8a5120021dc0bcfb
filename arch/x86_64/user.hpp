// Ring 3 on x86-64 (arch/user.hpp): syscall/sysret and interrupt entries that save straight into the thread's
// UserFrame, with run_user() as the only way into user mode. See user_entry.S and entry_stubs.S.
#pragma once

namespace arch::x86 {

/// Program the executing CPU's SYSCALL MSRs (EFER.SCE, STAR, LSTAR, FMASK) and make SYSENTER fault.
void init_user_entry();

} // namespace arch::x86
