# The SMP matrix: the ring-3 suite on every CPU QEMU gives (arch/x86_64/smp/), which must each be announced
# online ("cpu N: apic id X online", qemu_boot.py --smp checks 1..N-1 in order), on the i440FX (pc) and the
# Q35 chipset. The suite spreads its threads over all CPUs (user/roottask), so shootdowns, wake-up IPIs and
# cross-CPU IPC run on real (emulated) parallel CPUs, as the sim tier explores them on hostsim.
#
# hw: 1, 2, 4 and 8 CPUs on both machines and one 64-CPU boot (the kernel's limit, arch/cpu.hpp max_cpus).
# hw-full (./janus test hw-full, not part of ./janus test): 16, 32 and 128 CPUs (of 128 the kernel runs 64 and
# says so), 128 MiB to 8 GiB of memory, and the ISO under SeaBIOS and OVMF with several CPUs.
foreach(_machine pc q35)
  foreach(_cpus 1 2 4 8)
    janus_hw_boot(roottask_${_machine}_smp${_cpus} BOOT pvh IMAGE ${_elf} TIMEOUT 120
      ARGS --machine ${_machine} --smp ${_cpus} --expect-suite ${JANUS_ROOT_SUITE_MIN})
  endforeach()
endforeach()
janus_hw_boot(roottask_pc_smp64 BOOT pvh IMAGE ${_elf} TIMEOUT 240
  ARGS --smp 64 --memory 512M --expect-suite ${JANUS_ROOT_SUITE_MIN})

# Device lines through the I/O APIC wherever the MADT lists one (the 8259s masked), and the machine without ACPI
# (QEMU's acpi=off: no RSDP, so no MADT): one CPU, the lines on the 8259s as before, the suite's irq tests on
# the PIT's line 0 either way.
janus_hw_boot(roottask_ioapic_q35 BOOT pvh IMAGE ${_elf} TIMEOUT 120
  ARGS --machine q35 --smp 2 --expect-suite ${JANUS_ROOT_SUITE_MIN}
       --expect-line "^interrupts: [0-9]+ device lines through 1 I/O APIC \\(line 0 on GSI 2\\), the 8259s masked$")
janus_hw_boot(roottask_no_acpi BOOT pvh IMAGE ${_elf} TIMEOUT 120
  ARGS --machine pc,acpi=off --expect-suite ${JANUS_ROOT_SUITE_MIN}
       --expect-line "^acpi: no usable RSDP or root table$"
       --expect-line "^interrupts: device lines through the 8259s"
       --expect-line "^smp: no usable MADT: only the boot CPU runs$")

foreach(_cpus 16 32 128)
  janus_hw_boot(full_roottask_pc_smp${_cpus} BOOT pvh IMAGE ${_elf} TIMEOUT 480 LABEL hw-full
    ARGS --smp ${_cpus} --memory 1G --expect-suite ${JANUS_ROOT_SUITE_MIN})
endforeach()
janus_hw_boot(full_roottask_q35_smp32 BOOT pvh IMAGE ${_elf} TIMEOUT 480 LABEL hw-full
  ARGS --machine q35 --smp 32 --memory 1G --expect-suite ${JANUS_ROOT_SUITE_MIN})
foreach(_memory 128M 1G 4G 8G)
  janus_hw_boot(full_roottask_smp4_mem${_memory} BOOT pvh IMAGE ${_elf} TIMEOUT 240 LABEL hw-full
    ARGS --smp 4 --memory ${_memory} --expect-suite ${JANUS_ROOT_SUITE_MIN})
endforeach()
foreach(_machine pc q35)
  janus_hw_boot(full_roottask_iso_bios_${_machine}_smp4 BOOT bios IMAGE ${_iso} TIMEOUT 240 LABEL hw-full
    ARGS --machine ${_machine} --smp 4 --expect-suite ${JANUS_ROOT_SUITE_MIN})
  janus_hw_boot(full_roottask_iso_uefi_${_machine}_smp4 BOOT uefi IMAGE ${_iso} TIMEOUT 360 LABEL hw-full
    ARGS --machine ${_machine} --smp 4 --expect-suite ${JANUS_ROOT_SUITE_MIN})
endforeach()

# A CPU that never answers its start-up IPIs (janus.selftest=absent-cpu puts APIC ID 240, which no CPU of this
# machine has, first in the MADT's list): reported and left out after its timeout, and the real CPUs after it
# still start and run the suite.
janus_hw_boot(roottask_absent_cpu BOOT pvh IMAGE ${_selftest_elf} TIMEOUT 120
  ARGS --smp 3 --append janus.selftest=absent-cpu --expect-suite ${JANUS_ROOT_SUITE_MIN}
       --expect-line "^smp: the CPU with apic id 240 did not answer its start-up IPIs: left out$")
