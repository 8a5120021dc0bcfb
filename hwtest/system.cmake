# The system images (docs/init.md "Starting the system") under SeaBIOS: init as the root task starting
# components from boot modules. The lines a run must print, in order on each console, are
# user/system/<name>.expect, shared with hostsim's system scenarios (hostsim/usermode/system_scenarios.cpp):
# the clients' lines come through the ring-3 16550 driver, init's through the kernel console.
#   system.hw.boot_smpN    janus-system.iso: uart, timer and hello; init ends the run with status 0
#   system.hw.faults_smpN  janus-faults.iso: a client dies in the middle of its console calls; the console
#                          server serves hello on, and init reports the fault and ends the run with status 1
#   system.hw.badconfig    janus-badconfig.iso: init names the configuration's wrong line, starts nothing,
#                          ends the run with status 2
foreach(_cpus 1 2)
  foreach(_image system faults)
    set(_name boot)
    set(_status success)
    if(_image STREQUAL "faults")
      set(_name faults)
      set(_status failure)
    endif()
    add_test(NAME system.hw.${_name}_smp${_cpus}
      COMMAND ${Python3_EXECUTABLE} ${_boot_script} check --boot bios --image ${CMAKE_BINARY_DIR}/janus-${_image}.iso
              --smp ${_cpus} --version ${PROJECT_VERSION} --timeout 120 --expect-status ${_status}
              --expect-sequence-file ${CMAKE_SOURCE_DIR}/user/system/${_image}.expect
              --log ${CMAKE_CURRENT_BINARY_DIR}/logs/system_${_name}_smp${_cpus}.log)
    set_tests_properties(system.hw.${_name}_smp${_cpus} PROPERTIES LABELS hw TIMEOUT 150)
  endforeach()
endforeach()
add_test(NAME system.hw.badconfig
  COMMAND ${Python3_EXECUTABLE} ${_boot_script} check --boot bios --image ${CMAKE_BINARY_DIR}/janus-badconfig.iso
          --version ${PROJECT_VERSION} --timeout 120 --expect-status failure
          --expect-sequence-file ${CMAKE_SOURCE_DIR}/user/system/badconfig.expect
          --log ${CMAKE_CURRENT_BINARY_DIR}/logs/system_badconfig.log)
set_tests_properties(system.hw.badconfig PROPERTIES LABELS hw TIMEOUT 150)
