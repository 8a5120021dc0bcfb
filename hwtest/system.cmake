# The system boot (docs/init.md "Starting the system"): janus-system.iso under SeaBIOS, init as the root task
# starting the uart driver, the timer service and the hello client from boot modules. The lines a run must
# print, in order, are user/system/system.expect (shared with hostsim's system scenarios): the client's come
# through the ring-3 16550 driver, init's through the kernel console; init ends the run with status 0, which
# the kernel turns into QEMU's success status. With 1 and 2 CPUs.
set(_system_iso "${CMAKE_BINARY_DIR}/janus-system.iso")
foreach(_cpus 1 2)
  add_test(NAME system.hw.boot_smp${_cpus}
    COMMAND ${Python3_EXECUTABLE} ${_boot_script} check --boot bios --image ${_system_iso} --smp ${_cpus}
            --version ${PROJECT_VERSION} --timeout 120
            --expect-sequence-file ${CMAKE_SOURCE_DIR}/user/system/system.expect
            --log ${CMAKE_CURRENT_BINARY_DIR}/logs/system_boot_smp${_cpus}.log)
  set_tests_properties(system.hw.boot_smp${_cpus} PROPERTIES LABELS hw TIMEOUT 150)
endforeach()
