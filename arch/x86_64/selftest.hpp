// Self-tests on request: deliberate faults, so the exception path can be tested end to end (hwtest's negative
// checks), the layout report, and the interrupt and ring-3 suites.
// Kernel command line: janus.selftest=ud   invalid opcode (ud2)                     -> #UD, vector 6
//                      janus.selftest=pf   read of unmapped canonical address
//                                          0xffff900000000000                       -> #PF, vector 14
//                      janus.selftest=gp   read of non-canonical address
//                                          0x8000000000000000                       -> #GP, vector 13
//                      janus.selftest=df   ud2 with the stack pointer on unmapped memory: the #UD
//                                          cannot be delivered, nor the #PF that causes -> #DF, vector 8,
//                                          reported from its IST stack
//                      janus.selftest=stack  endless recursion on the boot stack: its guard page
//                                          turns the overflow into #DF, vector 8
//                      janus.selftest=layout print the kernel's page-table layout, then boot on
//                      janus.selftest=wx   the same after mapping 0xffffc00000000000 writable+executable
//                      janus.selftest=wx-rodata  the same after making the first .rodata page writable
//                      janus.selftest=interrupts   time, timer, IPIs (selftest/interrupts.cpp)
//                      janus.selftest=user         ring 3 through run_user() (selftest/user.cpp)
//                      janus.selftest=absent-cpu   the MADT's CPU list gets an enabled CPU no machine with
//                                          fewer than 240 CPUs has (APIC ID 240), first; then boot on: its
//                                          start must time out, be reported, and leave the others running
// All but `layout` exist only in janus-selftest.elf: janus.elf carries no test code, and reports any other
// name as ignored. `layout` stays in both, since the W^X check must read the tables of the image that ships.
#pragma once

#include "kernel/boot/acpi.hpp"
#include "kernel/boot/bootinfo.hpp"

namespace arch::x86 {

/// Run the self-test named on the command line, if any. An unknown name is reported and ignored. Some tests
/// change what the boot goes on with (`acpi`).
void run_selftest(const kernel::boot::BootInfo& info, kernel::boot::acpi::AcpiInfo& acpi);

} // namespace arch::x86
