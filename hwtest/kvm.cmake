# The hw tier's KVM set, included at the end of hwtest/CMakeLists.txt: the ring-3 suite booted on the host's
# CPU through hardware KVM (qemu_boot.py --accel kvm), every boot path times two CPU models, each checked
# exactly as boot.hw.roottask_pvh / roottask_iso are (exit 33, banner, protocol, memory map, --expect-suite).
#
# These tests carry the labels hw and kvm. Whether this machine's /dev/kvm is usable (hardware KVM: kvm_intel
# or kvm_amd, not the software PVM hypervisor, and QEMU starts with -accel kvm) is decided by ./janus, not by
# ctest: it runs them with the hw tier when it is, and otherwise excludes them (-LE kvm) and prints why.
# `ctest -L hw` by hand runs them regardless.
#
# CPU models:
#   host     `-cpu host,-arch-capabilities`: the machine's own CPU and features (SMEP, SMAP, UMIP, TSC-deadline,
#            whatever it has); QEMU 7.2 aborts on plain `-cpu host` when KVM refuses MSR 0x10a.
#   nehalem  `-cpu Nehalem`: a named model whose features every Intel host since 2008 and every AMD host since
#            2011 (Bulldozer) has, so KVM gives it unchanged on both vendors; it has no SMEP, SMAP or UMIP, so
#            the kernel's paths without them run on a real CPU too (QEMU 7.2 has no x86-64-v2 style models).
# A boot takes seconds under KVM; the timeouts are generous for slow or nested hosts, and a hang (which is
# what a boot does on a /dev/kvm that cannot run the kernel) ends at the harness's timeout with the log tail.
set(_kvm_cpus host "host,-arch-capabilities" nehalem "Nehalem")
set(_kvm_boots pvh "${_elf}" bios "${_iso}" uefi "${_iso}")

while(_kvm_cpus)
  list(POP_FRONT _kvm_cpus _cpu_name _cpu_model)
  set(_boots ${_kvm_boots})
  while(_boots)
    list(POP_FRONT _boots _boot _image)
    set(_name kvm_roottask_${_boot}_${_cpu_name})
    janus_hw_boot(${_name} BOOT ${_boot} IMAGE ${_image} TIMEOUT 120
      ARGS --accel kvm --cpu ${_cpu_model} --expect-suite ${JANUS_ROOT_SUITE_MIN})
    set_tests_properties(boot.hw.${_name} PROPERTIES LABELS "hw;kvm")
  endwhile()
endwhile()
