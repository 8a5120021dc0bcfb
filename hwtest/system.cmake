# The system boot (docs/init.md "Starting the system"): janus-system.iso under SeaBIOS, init as the root task
# starting the uart driver, the timer service and the hello client from boot modules. The client's lines come
# through the ring-3 16550 driver (not the kernel console) and must appear in order; init reports hello's exit
# and ends the run with status 0, which the kernel turns into QEMU's success status.
set(_system_iso "${CMAKE_BINARY_DIR}/janus-system.iso")
set(JANUS_SYSTEM_LINES
  "^init: started uart "
  "^init: started timer "
  "^init: started hello "
  "^hello: started$"
  "^hello: tick 1$"
  "^hello: tick 2$"
  "^hello: tick 3$"
  "^hello: one-shot$"
  "^hello: done$"
  "^init: hello exited with status 0$"
  # (\x3b is the semicolon, which a CMake list would split on)
  "^init: done: 1 exited, 0 faulted, 0 not started, 2 stopped\\x3b status 0$"
  "^Janus: the root task exited with status 0 \\(success\\)$")
set(_sequence)
foreach(_line IN LISTS JANUS_SYSTEM_LINES)
  list(APPEND _sequence --expect-sequence "${_line}")
endforeach()
add_test(NAME system.hw.boot
  COMMAND ${Python3_EXECUTABLE} ${_boot_script} check --boot bios --image ${_system_iso}
          --version ${PROJECT_VERSION} --timeout 120 ${_sequence}
          --log ${CMAKE_CURRENT_BINARY_DIR}/logs/system_boot.log)
set_tests_properties(system.hw.boot PROPERTIES LABELS hw TIMEOUT 150)
