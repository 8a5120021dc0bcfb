// Self-tests of the x86-64 port that need the real machine, chosen with janus.selftest=<name> on the kernel
// command line (selftest.cpp) and run by hwtest. Each prints one line per check (report.hpp) and stops the
// machine: QEMU exits 33 only if every check passed.
#pragma once

#include "kernel/boot/bootinfo.hpp"

namespace arch::x86::selftest {

/// janus.selftest=interrupts: time, the one-shot timer, self-IPIs and stray vectors, in the kernel.
[[noreturn]] void interrupts();

/// janus.selftest=user: ring 3 through run_user() — syscalls, exceptions, interrupts, register hygiene,
/// TLB invalidation — in a small address space built with kernel/mem's page table.
[[noreturn]] void user(const kernel::boot::BootInfo& info);

} // namespace arch::x86::selftest
